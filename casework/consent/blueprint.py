"""The consent blueprint, nested in casework's: /cases/<case_id>/consent/..."""

from __future__ import annotations

from flask import Blueprint

from casework.consent import routes

blueprint = Blueprint("consent", __name__, url_prefix="/<uuid:case_id>/consent")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/", view_func=routes.history, methods=["GET"])
blueprint.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.record)
blueprint.add_url_rule(
    "/<uuid:basis_id>/withdraw", methods=["GET", "POST"], view_func=routes.withdraw
)
