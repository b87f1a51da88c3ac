"""The casework blueprints: cases under /cases (with the sub-packages' blueprints nested in it,
commands ``homeward cases ...``), and the task list under /tasks."""

from __future__ import annotations

from flask import Blueprint

from casework.attachments.blueprint import blueprint as attachments_blueprint
from casework.closure.blueprint import blueprint as closure_blueprint
from casework.consent.blueprint import blueprint as consent_blueprint
from casework.monitoring.blueprint import blueprint as monitoring_blueprint
from casework.monitoring.blueprint import survey_blueprint
from casework.planning.blueprint import blueprint as planning_blueprint
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
):
    blueprint.register_blueprint(nested)
