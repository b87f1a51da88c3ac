"""Needs and vulnerability assessment, and the reintegration plan with supervisor approval."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The assessment and plan panels, the planning task sources, vocabulary and demo data."""
    from casework.panels import CasePanel, register_case_panel
    from casework.planning import demo, queries, routes, tasks, vocabulary
    from casework.signals import skeleton_collecting, tasks_collecting

    register_case_panel(
        app,
        CasePanel(
            "assessment", "casework/planning/_assessment_panel.html", 50, routes.assessment_panel
        ),
    )
    register_case_panel(
        app, CasePanel("plan", "casework/planning/_plan_panel.html", 55, routes.plan_panel)
    )
    tasks_collecting.connect(tasks.tasks_of)
    app.jinja_env.globals["planning_vocabulary"] = vocabulary
    demo.init_app(app)
    skeleton_collecting.connect(queries.skeleton_part)
