"""The Today page under /today."""

from __future__ import annotations

from flask import Blueprint

from casework.today import routes

blueprint = Blueprint("today", __name__, url_prefix="/today")

blueprint.add_url_rule("/", view_func=routes.index, methods=["GET"])
