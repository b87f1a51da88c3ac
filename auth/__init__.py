"""Organisations, users, roles, login, second factor, sessions and user administration.

Shaped like every domain package (see :mod:`casework`): ``init_app`` is the one place that
wires auth into the app.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import NavItem, register_nav_item
from core.permissions import Permission


def init_app(app: Flask) -> None:
    """The actor loader, the locale and session-time hooks, navigation, commands, demo data."""
    from auth import commands, demo, routes, sessions
    from core.db import get_session
    from core.security import set_actor_loader

    set_actor_loader(app, lambda: sessions.load_actor(get_session()))
    app.extensions["homeward_preferred_locale"] = routes.preferred_language
    app.extensions["homeward_session_seconds_left"] = routes.session_seconds_left
    register_nav_item(app, NavItem("auth.admin.users", _l("Users"), Permission.USER_MANAGE, 40))
    register_nav_item(
        app,
        NavItem(
            "auth.admin.organisations", _l("Organisations"), Permission.ORGANISATION_MANAGE, 41
        ),
    )
    commands.init_app(app)
    demo.init_app(app)
    app.register_blueprint(routes.blueprint)
