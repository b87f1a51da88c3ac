"""The auth blueprints: sign-in (views in routes.py, account_routes.py, link_routes.py) and,
nested in it, user administration under /admin (views in admin_routes.py)."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l

blueprint = Blueprint("auth", __name__)
admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")
blueprint.register_blueprint(admin_blueprint)

GENERIC_LOGIN_ERROR = _l("That e-mail address and password do not match an active account.")


def login_limit() -> str:
    """The per-address limit on every sign-in-like POST (a setting)."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])
