"""Families and households: people who returned together, each with their own case."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The household panel, the vocabulary, the answers to ``household_cases_asking`` and
    ``guardians_asking``, and the demo family."""
    from casework.households import demo, queries, routes, vocabulary
    from casework.signals import case_panels_collecting, guardians_asking, household_cases_asking
    from core.signals import demo_steps_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    household_cases_asking.connect(queries.household_cases)
    guardians_asking.connect(queries.guardians)
    register_vocabulary(app, vocabulary.Relationship, vocabulary.LABELS)
    demo_steps_collecting.connect(demo.demo_step)
