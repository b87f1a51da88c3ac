"""The screening blueprint, nested in casework's: /cases/<case_id>/screening/..."""

from __future__ import annotations

from flask import Blueprint

from casework.screening import routes, story_routes

blueprint = Blueprint("screening", __name__, url_prefix="/<uuid:case_id>/screening")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/", view_func=routes.history, methods=["GET"])
blueprint.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.record)
blueprint.add_url_rule("/reflection", methods=["GET", "POST"], view_func=routes.reflection)
blueprint.add_url_rule("/story", view_func=story_routes.story, methods=["GET"])
blueprint.add_url_rule("/story/edit", methods=["GET", "POST"], view_func=story_routes.record_story)
