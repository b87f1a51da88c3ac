"""The audit blueprint: the auditor's pages under /audit, commands ``homeward audit ...``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("audit", __name__, url_prefix="/audit", cli_group="audit")
