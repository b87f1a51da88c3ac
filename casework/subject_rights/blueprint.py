"""The subject rights blueprint, nested in casework's: /cases/<case_id>/person-data/...;
commands ``homeward retention ...``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "subject_rights", __name__, url_prefix="/<uuid:case_id>/person-data", cli_group="retention"
)
