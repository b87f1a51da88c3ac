"""The planning blueprint, nested in casework's (its views live in the route modules)."""

from flask import Blueprint

from casework.planning import assessment_routes, routes

blueprint = Blueprint("planning", __name__, url_prefix="/<uuid:case_id>")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/assessments/", view_func=assessment_routes.assessments, methods=["GET"])
blueprint.add_url_rule(
    "/assessments/<uuid:assessment_id>", view_func=assessment_routes.assessment, methods=["GET"]
)
blueprint.add_url_rule(
    "/assessments/new", methods=["GET", "POST"], view_func=assessment_routes.record_assessment
)
blueprint.add_url_rule("/plan/start", view_func=routes.start_plan, methods=["POST"])
blueprint.add_url_rule("/plan/", view_func=routes.plan, methods=["GET"])
blueprint.add_url_rule("/plan/actions/", view_func=routes.add_actions, methods=["POST"])
blueprint.add_url_rule("/plan/actions/new", methods=["GET", "POST"], view_func=routes.add_action)
blueprint.add_url_rule(
    "/plan/actions/<uuid:action_id>", methods=["GET", "POST"], view_func=routes.edit_action
)
blueprint.add_url_rule(
    "/plan/actions/<uuid:action_id>/remove", view_func=routes.remove_action, methods=["POST"]
)
blueprint.add_url_rule(
    "/plan/actions/<uuid:action_id>/status", view_func=routes.action_status, methods=["POST"]
)
blueprint.add_url_rule("/plan/submit", view_func=routes.submit, methods=["POST"])
blueprint.add_url_rule("/plan/review", methods=["GET", "POST"], view_func=routes.review)
