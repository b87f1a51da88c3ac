"""Screening for trafficking, and the recovery and reflection period."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The screening panel and vocabulary; its part of the skeleton."""
    from casework.panels import CasePanel, register_case_panel
    from casework.screening import queries, routes, vocabulary
    from casework.signals import skeleton_collecting

    register_case_panel(
        app, CasePanel("screening", "casework/screening/_panel.html", 40, routes.panel_context)
    )
    app.jinja_env.globals["screening_vocabulary"] = vocabulary
    skeleton_collecting.connect(queries.skeleton_part)
