"""The assistance blueprints, nested in casework's: a case's disbursements
(/cases/<case_id>/assistance/...) and the organisation's summary (/cases/assistance-summary)."""

from __future__ import annotations

from flask import Blueprint

from casework.assistance import routes

blueprint = Blueprint("assistance", __name__, url_prefix="/<uuid:case_id>/assistance")

summary_blueprint = Blueprint("assistance_summary", __name__, url_prefix="/assistance-summary")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.record_assistance)
blueprint.add_url_rule("/<uuid:disbursement_id>", methods=["GET"], view_func=routes.disbursement)
blueprint.add_url_rule(
    "/<uuid:disbursement_id>/receipt", methods=["POST"], view_func=routes.receipt
)
blueprint.add_url_rule(
    "/<uuid:disbursement_id>/decision", methods=["GET", "POST"], view_func=routes.decide
)
summary_blueprint.add_url_rule("/", "index", routes.summary, methods=["GET"])
