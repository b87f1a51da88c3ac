"""The safety blueprint, nested in casework's: /cases/<case_id>/safety/..."""

from __future__ import annotations

from flask import Blueprint

from casework.safety import routes

blueprint = Blueprint("safety", __name__, url_prefix="/<uuid:case_id>/safety")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/flags", methods=["GET"], view_func=routes.flags)
blueprint.add_url_rule("/flags/new", methods=["GET", "POST"], view_func=routes.raise_flag)
blueprint.add_url_rule("/flags/<uuid:flag_id>/end", methods=["POST"], view_func=routes.end_flag)
blueprint.add_url_rule("/flags/<uuid:flag_id>/seen", methods=["POST"], view_func=routes.mark_seen)
blueprint.add_url_rule("/plan", methods=["GET"], view_func=routes.plan)
blueprint.add_url_rule("/plan/edit", methods=["GET", "POST"], view_func=routes.edit_plan)
