"""Figures for the mechanism: published tables and anonymised exports, from the statistical
skeleton only (never decrypted personal data), with small-cell protection
(:mod:`reports.suppression`) and k-anonymity (:mod:`reports.ctdc`).

The top layer: it reads casework's skeleton and nothing reads it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The figures pages and their navigation entries, and ``homeward reports ...`` (the
    reports blueprint's command group)."""
    from core.signals import navigation_collecting
    from reports import commands, routes
    from reports.blueprint import blueprint

    blueprint.cli.add_command(commands.ctdc_command)
    navigation_collecting.connect(routes.navigation)
    app.register_blueprint(blueprint)
