"""Monitoring visits and the reintegration sustainability score."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import NavItem, register_nav_item
from core.permissions import Permission


def init_app(app: Flask) -> None:
    """The visits panel and task source, the survey navigation entry, template helpers, demo."""
    from casework.monitoring import demo, queries, routes, tasks, vocabulary
    from casework.signals import case_panels_collecting, skeleton_collecting, tasks_collecting

    case_panels_collecting.connect(routes.case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    register_nav_item(
        app,
        NavItem("casework.survey.index", _l("Survey weights"), Permission.SETTINGS_MANAGE, 48),
    )
    app.jinja_env.globals["monitoring_vocabulary"] = vocabulary
    app.jinja_env.filters["sustainability_score"] = routes.format_score
    app.jinja_env.globals["visit_answers"] = routes.visit_answers
    demo.init_app(app)
    skeleton_collecting.connect(queries.skeleton_part)
