"""The platform's blueprints: the front door (``/``, views in core.views) and the health check
(``/healthz``, core.health)."""

from __future__ import annotations

from flask import Blueprint

home_blueprint = Blueprint("home", __name__)
health_blueprint = Blueprint("health", __name__)
