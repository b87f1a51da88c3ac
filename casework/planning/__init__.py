"""Needs and vulnerability assessment, and the reintegration plan with supervisor approval."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The assessment and plan panels, the planning task sources, vocabulary and demo data."""
    from casework.planning import demo, queries, routes, tasks, vocabulary
    from casework.signals import (
        case_panels_collecting,
        plan_actions_asking,
        skeleton_collecting,
        tasks_collecting,
    )
    from core.signals import demo_steps_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.assessment_case_panel)
    case_panels_collecting.connect(routes.plan_case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    for enum, labels in vocabulary.LABELS.items():
        register_vocabulary(app, enum, labels)
    demo_steps_collecting.connect(demo.demo_step)
    skeleton_collecting.connect(queries.skeleton_part)
    plan_actions_asking.connect(queries.open_actions)  # issue 17: assistance
