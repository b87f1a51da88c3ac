"""The platform's blueprints: the front door (``/``, views in core.views) and the health check
(``/healthz``, ``/readyz``: core.health; ``/metrics``: core.metrics)."""

from __future__ import annotations

from flask import Blueprint

from core import health, metrics, views

home_blueprint = Blueprint("home", __name__)
health_blueprint = Blueprint("health", __name__)


# -- the views -----------------------------------------------------------------------------

home_blueprint.add_url_rule("/", view_func=views.index, methods=["GET"])
health_blueprint.add_url_rule("/healthz", view_func=health.healthz, methods=["GET"])
health_blueprint.add_url_rule("/readyz", view_func=health.readyz, methods=["GET"])
health_blueprint.add_url_rule("/metrics", view_func=metrics.metrics, methods=["GET"])
