"""People, cases, consent, screening, assessment, plans, visits, closure and erasure.

Every domain package and sub-package has the same shape (each file only when needed):

* ``__init__.py`` holds only ``init_app(app)``: the one place that wires the package into the
  app — its signal receivers, task sources, case panels, navigation entries, Jinja globals,
  error handlers, CLI commands and demo data. A package's ``init_app`` calls its
  sub-packages' ``init_app``; ``core.app`` calls one per top-level domain.
* ``blueprint.py`` declares the package's ``Blueprint`` (and nests the sub-packages' ones) and
  lists its URL rules, each naming its view function (``add_url_rule``): the package's URL map
  in one place, and no module imported only for what importing it does.
* ``routes.py`` (and ``*_routes.py`` when a blueprint's views are many) holds the views, HTTP
  only: parse, call a service or query, render. Views do not import the blueprint.
* ``services.py`` (writes), ``queries.py`` (reads), ``policy.py``, ``models.py``, ``forms.py``,
  ``vocabulary.py``, ``tasks.py`` (task sources, as ``SOURCES``), ``commands.py``, ``demo.py``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire casework and its sub-packages, then register the casework and task blueprints."""
    from casework import (
        assistance,
        attachments,
        closure,
        commands,
        consent,
        demo,
        history,
        households,
        monitoring,
        planning,
        routes,
        safety,
        screening,
        skeleton,
        subject_rights,
        task_routes,
        today,
    )
    from casework.blueprint import blueprint, tasks_blueprint
    from casework.screening import tasks as screening_tasks
    from casework.signals import case_panels_collecting, tasks_collecting
    from casework.skeleton import commands as skeleton_commands
    from core.signals import demo_steps_collecting, navigation_collecting

    navigation_collecting.connect(routes.navigation)
    navigation_collecting.connect(task_routes.navigation)
    _template_helpers(app)
    demo_steps_collecting.connect(demo.demo_step)
    _answer_lower_layers()
    case_panels_collecting.connect(history.timeline_case_panel)
    case_panels_collecting.connect(history.access_case_panel)
    blueprint.cli.add_command(commands.erase_person_command)
    blueprint.cli.add_command(commands.clear_erased_command)
    blueprint.cli.add_command(skeleton_commands.rebuild_skeletons_command)
    subpackages = (consent, screening, attachments, closure, subject_rights, monitoring, planning)
    for package in (*subpackages, safety, households, skeleton, assistance):
        package.init_app(app)
    app.register_blueprint(blueprint)

    # Screening's reflection-period tasks come after the other sub-packages' (the order the task
    # list breaks ties in), as when they belonged to the task list itself.
    tasks_collecting.connect(screening_tasks.tasks_of)
    app.register_blueprint(tasks_blueprint)
    today.init_app(app)


def _template_helpers(app: Flask) -> None:
    """Casework's lists for the ``label`` filter, and the case page's marks and banners."""
    from casework import marks, vocabulary
    from core.vocabulary import register as register_vocabulary

    for enum, labels in vocabulary.LABELS.items():
        register_vocabulary(app, enum, labels)
    app.add_template_global(marks.case_marks, "case_marks")
    app.add_template_global(marks.banners_for, "case_banners")


def _answer_lower_layers() -> None:
    """Answer what audit, auth and core ask of casework without importing it: case reference
    numbers, the reason of an emergency grant, the cases of a user moved to another organisation,
    whether people decrypt in a backup, and erasing a person again on restore."""
    from audit.signals import (
        case_labels_collecting,
        case_reference_resolving,
        emergency_reason_reading,
    )
    from auth.signals import user_organisation_changed
    from casework import backup, emergency, history, services
    from core.signals import backup_checking, erasure_replaying

    case_reference_resolving.connect(history.case_id_by_reference)
    case_labels_collecting.connect(history.reference_numbers)
    emergency_reason_reading.connect(emergency.reason_for_auditors)
    user_organisation_changed.connect(services.on_user_moved)
    backup_checking.connect(backup.on_backup_checking)
    erasure_replaying.connect(backup.on_erasure_replaying)
