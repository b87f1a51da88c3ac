"""The closure blueprint, nested in casework's: /cases/<case_id>/closure/..."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("closure", __name__, url_prefix="/<uuid:case_id>/closure")
