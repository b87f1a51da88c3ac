"""Closing a case with a supervisor's approval, and reopening it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The closure panel and task source, the closed-case error page, vocabulary and demo data."""
    from casework import stages
    from casework.closure import demo, routes, tasks, vocabulary
    from casework.panels import CasePanel, register_case_panel
    from casework.tasks import register_task_source

    register_case_panel(
        app, CasePanel("closure", "casework/closure/_panel.html", 70, routes.panel_context)
    )
    for source in tasks.SOURCES:
        register_task_source(app, source)
    app.register_error_handler(stages.CaseClosedError, routes.case_closed)
    app.jinja_env.globals["closure_vocabulary"] = vocabulary
    demo.init_app(app)
