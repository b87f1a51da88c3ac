"""The places blueprint: the administrator's page under /admin/places (views in routes.py)
and the ``homeward places`` commands (commands.py, added in ``init_app``)."""

from __future__ import annotations

from flask import Blueprint

from core.places import routes

blueprint = Blueprint("places", __name__, url_prefix="/admin/places", cli_group="places")

blueprint.add_url_rule("", view_func=routes.index, methods=["GET", "POST"])
