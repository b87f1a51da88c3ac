"""The monitoring blueprints, nested in casework's: a case's visits (/cases/<case_id>/monitoring)
and the administrator's survey weights (/cases/monitoring-survey)."""

from __future__ import annotations

from flask import Blueprint

from casework.monitoring import routes

blueprint = Blueprint("monitoring", __name__, url_prefix="/<uuid:case_id>/monitoring")


survey_blueprint = Blueprint("survey", __name__, url_prefix="/monitoring-survey")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/", view_func=routes.history, methods=["GET"])
blueprint.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.record)
survey_blueprint.add_url_rule("/", methods=["GET", "POST"], view_func=routes.index)
survey_blueprint.add_url_rule("/indicators", view_func=routes.add_indicator, methods=["POST"])
