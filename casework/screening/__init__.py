"""Screening for trafficking, and the recovery and reflection period."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The screening and story panels and vocabulary; its part of the skeleton; demo story."""
    from casework.screening import demo, queries, routes, story_routes, vocabulary
    from casework.signals import case_panels_collecting, skeleton_collecting
    from core.signals import demo_steps_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    case_panels_collecting.connect(story_routes.case_panel)
    demo_steps_collecting.connect(demo.demo_step)
    for enum, labels in vocabulary.LABELS.items():
        register_vocabulary(app, enum, labels)
    skeleton_collecting.connect(queries.skeleton_part)
