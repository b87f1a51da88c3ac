"""The platform's blueprints: the front door (``/``, views in core.views) and the health check
(``/healthz``, core.health)."""

from __future__ import annotations

from flask import Blueprint

from core import health, views

home_blueprint = Blueprint("home", __name__)
health_blueprint = Blueprint("health", __name__)


# -- the views -----------------------------------------------------------------------------

home_blueprint.add_url_rule("/", view_func=views.index, methods=["GET"])
health_blueprint.add_url_rule("/healthz", view_func=health.healthz, methods=["GET"])
