"""The audit log: ``record()``, the hash chain, checkpoints, the verifier, auditor pages.

Shaped like every domain package (see :mod:`casework`): ``init_app`` is the one place that
wires audit into the app.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from audit.queries import case_access_history
from audit.services import record
from core.extensions import NavItem, register_nav_item
from core.permissions import Permission

__all__ = ["case_access_history", "init_app", "record"]


def init_app(app: Flask) -> None:
    """The audit receivers of the platform's signals, the navigation entry, the commands."""
    from audit import commands, hooks, routes

    hooks.init_app(app)
    register_nav_item(app, NavItem("audit.index", _l("Audit log"), Permission.AUDIT_VIEW, 30))
    routes.blueprint.cli.add_command(commands.checkpoint)
    routes.blueprint.cli.add_command(commands.verify)
    app.register_blueprint(routes.blueprint)
