"""Safety and flags: warnings on a case (shown at its top and in the case lists), the safety
plan, the supervisors told of a flag."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The banner, list marks, panel, task source and e-mail renderer of safety."""
    from casework.safety import emails, queries, routes, tasks
    from casework.signals import (
        case_banners_collecting,
        case_marks_collecting,
        case_panels_collecting,
        tasks_collecting,
    )
    from core.signals import mail_templates_collecting

    case_banners_collecting.connect(queries.banner)
    case_marks_collecting.connect(queries.case_marks)
    case_panels_collecting.connect(routes.case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    mail_templates_collecting.connect(emails.templates)
