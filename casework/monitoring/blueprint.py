"""The monitoring blueprints, nested in casework's: a case's visits (/cases/<case_id>/monitoring)
and the administrator's survey weights (/cases/monitoring-survey)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("monitoring", __name__, url_prefix="/<uuid:case_id>/monitoring")


survey_blueprint = Blueprint("survey", __name__, url_prefix="/monitoring-survey")
