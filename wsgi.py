"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

import sys

from core.app import create_app
from core.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    print(f"homeward: {exc}", file=sys.stderr)
    sys.exit(2)
