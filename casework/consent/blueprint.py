"""The consent blueprint, nested in casework's: /cases/<case_id>/consent/..."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("consent", __name__, url_prefix="/<uuid:case_id>/consent")
