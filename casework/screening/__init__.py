"""Screening for trafficking, and the recovery and reflection period."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The screening panel and vocabulary; its part of the skeleton."""
    from casework.screening import queries, routes, vocabulary
    from casework.signals import case_panels_collecting, skeleton_collecting
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    for enum, labels in vocabulary.LABELS.items():
        register_vocabulary(app, enum, labels)
    skeleton_collecting.connect(queries.skeleton_part)
