"""Closing a case with a supervisor's approval, and reopening it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The closure panel and task source, the closed-case error page, vocabulary, demo data;
    closure's part in transfers, skeletons and retention."""
    from casework import stages
    from casework.closure import demo, queries, routes, services, tasks, vocabulary
    from casework.signals import (
        case_panels_collecting,
        case_transferred,
        closing_dates_collecting,
        skeleton_collecting,
        tasks_collecting,
    )
    from core.signals import demo_steps_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    app.register_error_handler(stages.CaseClosedError, routes.case_closed)
    for enum in (vocabulary.ClosureStatus,):
        register_vocabulary(app, enum, vocabulary.VOCABULARY.by_enum[enum])
    demo_steps_collecting.connect(demo.demo_step)
    case_transferred.connect(services.on_case_transferred)
    skeleton_collecting.connect(queries.skeleton_part)
    closing_dates_collecting.connect(queries.closing_dates)
