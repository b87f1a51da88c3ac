"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

import sys

from core.app import create_app
from core.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    print(f"homeward: {exc}", file=sys.stderr)
    # 3 is gunicorn's "worker failed to boot": the master stops instead of respawning workers.
    sys.exit(3)
