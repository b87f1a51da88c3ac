"""Print the demo accounts written by ``homeward demo --credentials-json`` (used by make run)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    file = Path(path)
    if not file.is_file():
        print("No demo credentials file; run `homeward demo --credentials-json PATH`.")
        return 0
    accounts = json.loads(file.read_text(encoding="utf-8"))
    print("\nDemo accounts (development only). Second step: add the key to an authenticator")
    print("app, or run `.venv/bin/homeward demo-code EMAIL` for the current code.\n")
    for a in accounts:
        print(f"  {a['role']:15} {a['email']:32} {a['password']:32} key {a['totp_secret']}")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
