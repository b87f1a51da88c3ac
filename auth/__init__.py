"""Organisations, users, roles, login, second factor, sessions and user administration.

Shaped like every domain package (see :mod:`casework`): ``init_app`` is the one place that
wires auth into the app.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The actor loader, the locale and session-time hooks, navigation, commands, demo data."""
    from auth import commands, demo, routes, sessions
    from core.db import get_session
    from core.security import set_actor_loader
    from core.signals import demo_present_checking, demo_steps_collecting, navigation_collecting

    set_actor_loader(app, lambda: sessions.load_actor(get_session()))
    app.extensions["homeward_preferred_locale"] = routes.preferred_language
    app.extensions["homeward_session_seconds_left"] = routes.session_seconds_left
    navigation_collecting.connect(routes.admin_routes.navigation)
    commands.init_app(app)
    demo_steps_collecting.connect(demo.demo_step)
    demo_present_checking.connect(demo.demo_present)
    app.cli.add_command(demo.demo_code)
    app.register_blueprint(routes.blueprint)
