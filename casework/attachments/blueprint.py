"""The attachments blueprint, nested in casework's: /cases/<case_id>/attachments/..."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("attachments", __name__, url_prefix="/<uuid:case_id>/attachments")
