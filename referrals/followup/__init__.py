"""Follow-through on referrals: what is overdue, for whom, escalation, counts and tasks.

Reads in ``queries``, the one write in ``services``, pages in ``routes`` (on the blueprint of
``blueprint``), task sources in ``tasks`` and ``homeward referrals figures`` in ``commands``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the follow-through pages, their navigation entries and task sources."""
    from casework.signals import tasks_collecting
    from core.signals import navigation_collecting
    from referrals.followup import blueprint, routes, tasks

    navigation_collecting.connect(routes.navigation)
    tasks_collecting.connect(tasks.tasks_of)
    app.register_blueprint(blueprint.blueprint)
