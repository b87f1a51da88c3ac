"""The households blueprint, nested in casework's: /cases/<case_id>/household/... and the
family registration's first step, /cases/family/new."""

from __future__ import annotations

from flask import Blueprint

from casework.households import routes

blueprint = Blueprint("households", __name__)


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/family/new", methods=["GET", "POST"], view_func=routes.register_family)
blueprint.add_url_rule(
    "/<uuid:case_id>/household/register", methods=["GET", "POST"], view_func=routes.register_member
)
blueprint.add_url_rule(
    "/<uuid:case_id>/household/add", methods=["GET", "POST"], view_func=routes.add_member
)
blueprint.add_url_rule(
    "/<uuid:case_id>/household/members/<uuid:member_id>/role",
    methods=["POST"],
    view_func=routes.change_role,
)
blueprint.add_url_rule(
    "/<uuid:case_id>/household/members/<uuid:member_id>/remove",
    methods=["POST"],
    view_func=routes.remove_member,
)
