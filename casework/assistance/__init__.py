"""Assistance delivered: the reintegration package's disbursements, their budget, the second
person's approval above a threshold, receipts and summaries (issue 17)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The assistance panel, task source, navigation entry, amount filter, vocabulary, demo
    data and the pending disbursements a transfer ends."""
    from casework.assistance import demo, routes, services, tasks, vocabulary
    from casework.signals import case_panels_collecting, case_transferred, tasks_collecting
    from core.signals import demo_steps_collecting, navigation_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    navigation_collecting.connect(routes.navigation)
    case_transferred.connect(services.on_case_transferred)
    app.jinja_env.filters["assistance_amount"] = routes.amount
    register_vocabulary(
        app,
        vocabulary.DisbursementStatus,
        vocabulary.VOCABULARY.by_enum[vocabulary.DisbursementStatus],
    )
    demo_steps_collecting.connect(demo.demo_step)
