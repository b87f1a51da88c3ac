"""The reports blueprint: its pages live under /reports (none yet), its commands under
``homeward reports ...``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("reports", __name__, url_prefix="/reports", cli_group="reports")
