"""Issue 18: a gunicorn worker stays small because libraries that only a rare action needs are
imported by that action, not when the app starts. Measured on ``import wsgi``: zxcvbn's lists
(11.5 MB of heap), Alembic with Mako and Pygments (10 MB), the XLSX writer (openpyxl, 5 MB,
before XlsxWriter), segno.

The app is built in a fresh interpreter (this test process has imported everything already)
exactly as gunicorn builds it, and its loaded modules are read from ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.config import PROJECT_ROOT

#: Needed only by: the password rules (setting a password), migrations and ``homeward db``,
#: the XLSX download (XlsxWriter; openpyxl reads it back in the tests only), the QR code of an
#: authenticator enrolment.
LOADED_WHEN_USED = ("zxcvbn", "alembic", "mako", "pygments", "xlsxwriter", "openpyxl", "segno")
#: Test and development tools the application must never import.
NEVER = ("playwright", "axe_playwright_python", "hypothesis", "pytest")

SCRIPT = """
import json, sys
import wsgi
assert wsgi.app is not None
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def modules_loaded_by(script: str, database_url: str, key_file: Path) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``script`` (which
    prints them as its last line, as :data:`SCRIPT` does) against the app on
    ``database_url``."""
    environ = {
        **os.environ,
        "HOMEWARD_ENV": "development",
        "HOMEWARD_DATABASE_URL": database_url,
        "HOMEWARD_KEY_FILE": str(key_file),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_wsgi_app_starts_without_the_libraries_of_rare_actions(tmp_path, key_file):
    loaded = modules_loaded_by(SCRIPT, f"sqlite:///{tmp_path / 'start.db'}", key_file)
    assert "flask" in loaded and "sqlalchemy" in loaded  # the app was really built
    assert loaded.isdisjoint(LOADED_WHEN_USED), sorted(loaded & set(LOADED_WHEN_USED))
    assert loaded.isdisjoint(NEVER), sorted(loaded & set(NEVER))
