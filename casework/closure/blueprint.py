"""The closure blueprint, nested in casework's: /cases/<case_id>/closure/..."""

from __future__ import annotations

from flask import Blueprint

from casework.closure import routes

blueprint = Blueprint("closure", __name__, url_prefix="/<uuid:case_id>/closure")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/request", methods=["GET", "POST"], view_func=routes.request_closure)
blueprint.add_url_rule("/<uuid:closure_id>", methods=["GET", "POST"], view_func=routes.decide)
blueprint.add_url_rule("/reopen", methods=["GET", "POST"], view_func=routes.reopen)
