"""Follow-through on referrals: what is overdue, for whom, escalation, counts and tasks.

Reads in ``queries``, the one write in ``services``, pages in ``routes`` (on the blueprint of
``blueprint``), task sources in ``tasks`` and ``homeward referrals figures`` in ``commands``.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import NavItem, register_nav_item
from core.permissions import Permission


def init_app(app: Flask) -> None:
    """Register the follow-through pages, their navigation entries and task sources."""
    from casework.signals import tasks_collecting
    from referrals.followup import queries, routes, tasks

    register_nav_item(
        app,
        NavItem(
            "referral_followup.mine",
            _l("My referrals"),
            Permission.REFERRAL_SEND,
            22,
            count=queries.my_referrals_count,
        ),
    )
    register_nav_item(
        app,
        NavItem(
            "referral_followup.figures", _l("Referral figures"), Permission.REFERRAL_REPORT, 70
        ),
    )
    tasks_collecting.connect(tasks.tasks_of)
    app.register_blueprint(routes.blueprint)
