"""The casework blueprint; its views live in routes.py and edit_routes.py."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("casework", __name__, url_prefix="/cases", cli_group="cases")
