"""The task list: what is overdue, due soon and waiting, for the signed-in user.

Tasks are derived from the data by the sources registered in :mod:`casework.tasks`; nothing is
stored. The navigation shows how many need attention now (overdue, due soon or waiting). Each
group shows a page of its tasks at a time (``?later=2``: the second page of "Later"); the list
names the person of each case the user may open among the tasks shown (audited with the ids of
those cases).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from audit.services import record
from casework.tasks import Task, tasks_for
from casework.today.cases import case_facts, named_case_ids
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.extensions import NavItem
from core.pagination import NumberedPage, numbered_page, page_number, pages_past_first
from core.permissions import Permission
from core.security import Actor, require, require_actor

#: The groups in the order shown, each paged by the query parameter of its name (``?later=2``).
GROUPS = ("overdue", "waiting", "due_soon", "later")


@dataclass
class TaskGroups:
    overdue: list[Task] = field(default_factory=list)
    due_soon: list[Task] = field(default_factory=list)
    waiting: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)

    @property
    def needing_attention(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.waiting)

    @property
    def total(self) -> int:
        return self.needing_attention + len(self.later)


@dataclass(frozen=True)
class TaskPage:
    """What the list shows: one page of each group (its ``total`` counts the whole group)."""

    overdue: NumberedPage[Task]
    waiting: NumberedPage[Task]
    due_soon: NumberedPage[Task]
    later: NumberedPage[Task]

    @property
    def tasks(self) -> list[Task]:
        """The tasks shown, every group's page."""
        return [task for name in GROUPS for task in getattr(self, name).rows]

    @property
    def total(self) -> int:
        return sum(getattr(self, name).total for name in GROUPS)

    @property
    def numbers(self) -> dict[str, int]:
        """The page of each group past its first, as the query string names it."""
        return pages_past_first(self, GROUPS)


def page_of(groups: TaskGroups, numbers: Mapping[str, int], size: int) -> TaskPage:
    """Page ``numbers[group]`` (1 when absent) of each group, ``size`` tasks a page."""
    return TaskPage(
        *(numbered_page(getattr(groups, name), numbers.get(name, 1), size) for name in GROUPS)
    )


def group_tasks(tasks: list[Task], horizon_days: int) -> TaskGroups:
    """Overdue, due within the horizon, waiting (no date: approvals), and later."""
    today = utcnow().date()
    horizon = today + timedelta(days=horizon_days)
    groups = TaskGroups()
    for task in tasks:
        if task.due is None:
            groups.waiting.append(task)
        elif task.due < today:
            groups.overdue.append(task)
        elif task.due <= horizon:
            groups.due_soon.append(task)
        else:
            groups.later.append(task)
    return groups


def actor_tasks(actor: Actor) -> list[Task]:
    """The actor's tasks, overdue first, read once per request (the navigation asks twice)."""
    cache: dict[object, list[Task]] = g.setdefault("homeward_tasks", {})
    if actor.user_id not in cache:
        cache[actor.user_id] = tasks_for(get_session(), actor, current_settings())
    return cache[actor.user_id]


def actor_task_groups(actor: Actor) -> TaskGroups:
    """The actor's tasks, grouped; the sources get the settings from here (a route)."""
    return group_tasks(actor_tasks(actor), current_settings().casework.task_horizon_days)


def nav_count(actor: Actor) -> int:
    return actor_task_groups(actor).needing_attention


@require(Permission.TASK_VIEW)
def index() -> ResponseReturnValue:
    """My tasks, a page of each group, with names of the cases I may open among those shown."""
    db = get_session()
    actor = require_actor()
    settings = current_settings().casework
    numbers = {name: page_number(request.args.get(name)) for name in GROUPS}
    page = page_of(actor_task_groups(actor), numbers, settings.task_page_size)
    shown = page.tasks
    facts = case_facts(db, actor, (t.case_id for t in shown))
    details = {"count": len(shown), "case_ids": named_case_ids(facts.values())}
    record(db, "tasks.viewed", actor=actor, details=details)
    return render_template(
        "casework/tasks.html",
        groups=page,
        args=page.numbers,
        horizon=settings.task_horizon_days,
        facts=facts,
    )


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the task list with its count."""
    return [
        NavItem("tasks.index", _l("My tasks"), Permission.TASK_VIEW, 25, count=nav_count),
    ]
