"""The Today page and its navigation entry (first for case teams, counting overdue and waiting)."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from audit.services import record
from casework.marks import case_marks
from casework.task_routes import actor_tasks
from casework.tasks import Task
from casework.today import queries
from casework.today.cases import named_case_ids
from casework.today.registry import today_items
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.extensions import NavItem
from core.pagination import page_number
from core.permissions import Permission
from core.security import Actor, require, require_actor


def actor_today_items(actor: Actor) -> list[Task]:
    """The actor's tasks and Today items, read once per request (the navigation asks too)."""
    cache: dict[object, list[Task]] = g.setdefault("homeward_today_items", {})
    if actor.user_id not in cache:
        extra = today_items(get_session(), actor, current_settings())
        cache[actor.user_id] = [*actor_tasks(actor), *extra]
    return cache[actor.user_id]


def today_groups(actor: Actor) -> queries.TodayGroups:
    """The grouped rows, without case facts (enough for the navigation's count)."""
    return queries.group_today(actor_today_items(actor), utcnow().date())


@require(Permission.CASE_VIEW)
def index() -> ResponseReturnValue:
    """Overdue, due this week and waiting for me, a page of each (``?overdue=2``: its second
    page), with names of the cases I may open among the rows shown."""
    db = get_session()
    actor = require_actor()
    numbers = {name: page_number(request.args.get(name)) for name in queries.GROUPS}
    size = current_settings().casework.task_page_size
    page = queries.with_facts(db, actor, queries.page_of(today_groups(actor), numbers, size))
    rows = page.rows
    record(
        db,
        "today.viewed",
        actor=actor,
        object_type="case",
        details={
            "count": len(rows),
            "case_ids": named_case_ids(r.facts for r in rows if r.facts),
        },
    )
    return render_template(
        "casework/today.html",
        groups=page,
        args=page.numbers,
        decisions_first=queries.decisions_first(actor),
        # The marks of every row on the page, asked once rather than once a group.
        flags=case_marks(r.facts.case_id for r in rows if r.facts),
    )


def nav_count(actor: Actor) -> int:
    return today_groups(actor).count


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: Today, first for case teams."""
    return [NavItem("today.index", _l("Today"), Permission.CASE_VIEW, 5, count=nav_count)]
