"""``python bench/generate.py --people N [--audit-events M] --database-url URL [--seed S]
[--append] [--chunk 1000]``: runs the generator package ``bench/generate/`` (its docstring
says what is written and how)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bench.generate.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
