"""The casework blueprints: cases under /cases (with the sub-packages' blueprints nested in it,
commands ``homeward cases ...``), and the task list under /tasks."""

from __future__ import annotations

from flask import Blueprint

from casework import edit_routes, routes, search_routes, task_routes, transfer_routes
from casework.assistance.blueprint import blueprint as assistance_blueprint
from casework.assistance.blueprint import summary_blueprint as assistance_summary_blueprint
from casework.attachments.blueprint import blueprint as attachments_blueprint
from casework.closure.blueprint import blueprint as closure_blueprint
from casework.consent.blueprint import blueprint as consent_blueprint
from casework.households.blueprint import blueprint as households_blueprint
from casework.monitoring.blueprint import blueprint as monitoring_blueprint
from casework.monitoring.blueprint import survey_blueprint
from casework.planning.blueprint import blueprint as planning_blueprint
from casework.safety.blueprint import blueprint as safety_blueprint
from casework.screening.blueprint import blueprint as screening_blueprint
from casework.subject_rights.blueprint import blueprint as subject_rights_blueprint

blueprint = Blueprint("casework", __name__, url_prefix="/cases", cli_group="cases")
transfers_blueprint = Blueprint("transfers", __name__)
tasks_blueprint = Blueprint("tasks", __name__, url_prefix="/tasks")

for nested in (
    transfers_blueprint,
    consent_blueprint,
    screening_blueprint,
    attachments_blueprint,
    closure_blueprint,
    subject_rights_blueprint,
    monitoring_blueprint,
    survey_blueprint,
    planning_blueprint,
    assistance_blueprint,  # issue 17: assistance
    assistance_summary_blueprint,
    safety_blueprint,
    households_blueprint,  # issue 17: households
):
    blueprint.register_blueprint(nested)


# -- the views -----------------------------------------------------------------------------

tasks_blueprint.add_url_rule("/", view_func=task_routes.index, methods=["GET"])
blueprint.add_url_rule(
    "/<uuid:case_id>/emergency", methods=["GET", "POST"], view_func=routes.emergency_access
)
blueprint.add_url_rule("/", view_func=routes.index, methods=["GET"])
blueprint.add_url_rule("/search", view_func=search_routes.search, methods=["POST"])
blueprint.add_url_rule(
    "/search/<search_id>", "search_results", search_routes.results, methods=["GET"]
)
blueprint.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.register)
blueprint.add_url_rule("/<uuid:case_id>", view_func=routes.case, methods=["GET"])
blueprint.add_url_rule("/<uuid:case_id>/notes", view_func=routes.add_note, methods=["POST"])
blueprint.add_url_rule("/<uuid:case_id>/assign", view_func=routes.assign, methods=["POST"])
transfers_blueprint.add_url_rule(
    "/<uuid:case_id>/transfer", view_func=transfer_routes.request_transfer, methods=["POST"]
)
transfers_blueprint.add_url_rule(
    "/transfers/<uuid:transfer_id>/accept", view_func=transfer_routes.accept, methods=["POST"]
)
transfers_blueprint.add_url_rule(
    "/transfers/<uuid:transfer_id>/decline", view_func=transfer_routes.decline, methods=["POST"]
)
blueprint.add_url_rule(
    "/<uuid:case_id>/person", methods=["GET", "POST"], view_func=edit_routes.edit_person
)
blueprint.add_url_rule(
    "/<uuid:case_id>/details", methods=["GET", "POST"], view_func=edit_routes.edit_case
)
blueprint.add_url_rule(
    "/<uuid:case_id>/documents", methods=["GET", "POST"], view_func=edit_routes.add_document
)
blueprint.register_error_handler(403, routes.not_in_scope)
