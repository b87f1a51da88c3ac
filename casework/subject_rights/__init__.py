"""The data subject's rights: access (export), correction records, erasure, retention."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The subject rights panel and task source, vocabulary, ``homeward retention run``;
    correction records, and erasure requests ended by a transfer or an erasure."""
    from casework.signals import (
        case_panels_collecting,
        case_transferred,
        person_corrected,
        person_erasing,
        tasks_collecting,
    )
    from casework.subject_rights import commands, corrections, routes, services, tasks, vocabulary
    from casework.subject_rights.blueprint import blueprint
    from core.vocabulary import register as register_vocabulary

    case_panels_collecting.connect(routes.case_panel)
    tasks_collecting.connect(tasks.tasks_of)
    for enum in (vocabulary.ErasureReason, vocabulary.ErasureStatus):
        register_vocabulary(app, enum, vocabulary.VOCABULARY.by_enum[enum])
    blueprint.cli.add_command(commands.retention_run_command)
    case_transferred.connect(services.on_case_transferred)
    person_erasing.connect(services.on_person_erasing)
    person_corrected.connect(corrections.on_person_corrected)
