"""The screening blueprint, nested in casework's: /cases/<case_id>/screening/..."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("screening", __name__, url_prefix="/<uuid:case_id>/screening")
