"""The service directory, shaped like Open Referral HSDS."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import NavItem, register_nav_item
from core.permissions import Permission


def init_app(app: Flask) -> None:
    """The directory's pages, navigation entry, template helpers, commands and demo data."""
    from referrals.directory import codes, commands, demo, routes, vocabulary

    # After the administration entries: the first entry is where a role lands after sign-in.
    register_nav_item(
        app, NavItem("directory.index", _l("Service directory"), Permission.DIRECTORY_VIEW, 50)
    )
    app.jinja_env.globals["directory_vocab"] = vocabulary
    app.jinja_env.globals["language_name"] = codes.language_name
    app.jinja_env.globals["country_name"] = codes.country_name
    demo.init_app(app)
    routes.blueprint.cli.add_command(commands.export_command)
    routes.blueprint.cli.add_command(commands.import_command)
    app.register_blueprint(routes.blueprint)
