"""Run every benchmark (``make bench``): crypto, audit, casework and the reports' figures, one after
the other.

Each script also runs on its own with more options (see its docstring); results are printed
and, where a script keeps them, written under ``bench/results/``.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

SCRIPTS = (
    "crypto_bench.py",
    "audit_bench.py",
    "casework_bench.py",
    "reports_bench.py",
)

if __name__ == "__main__":
    here = Path(__file__).parent
    for script in SCRIPTS:
        print(f"\n=== {script} ===", flush=True)
        sys.argv = [script]
        runpy.run_path(str(here / script), run_name="__main__")
