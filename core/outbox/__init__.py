"""The transactional outbox: e-mail written in the transaction that causes it, sent by
``homeward outbox send``; the administrator's page at /admin/outbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The page, its navigation entry, the commands and the status figures."""
    from core.outbox import blueprint, commands, queries, routes
    from core.signals import navigation_collecting, status_figures_collecting

    navigation_collecting.connect(routes.navigation)
    status_figures_collecting.connect(queries.backlog_figure)
    status_figures_collecting.connect(queries.dead_letter_figure)
    blueprint.blueprint.cli.add_command(commands.send)
    blueprint.blueprint.cli.add_command(commands.status)
    app.register_blueprint(blueprint.blueprint)
