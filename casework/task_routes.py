"""The task list: what is overdue, due soon and waiting, for the signed-in user.

Tasks are derived from the data by the sources registered in :mod:`casework.tasks`; nothing is
stored. The navigation shows how many need attention now (overdue, due soon or waiting). The
list names the person of each case the user may open (audited with the ids of those cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from audit.services import record
from casework.tasks import Task, tasks_for
from casework.today.cases import case_facts, named_case_ids
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.extensions import NavItem
from core.permissions import Permission
from core.security import Actor, require, require_actor


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
    db = get_session()
    actor = require_actor()
    groups = actor_task_groups(actor)
    facts = case_facts(db, actor, (t.case_id for t in actor_tasks(actor)))
    details = {"count": groups.total, "case_ids": named_case_ids(facts.values())}
    record(db, "tasks.viewed", actor=actor, details=details)
    horizon = current_settings().casework.task_horizon_days
    return render_template("casework/tasks.html", groups=groups, horizon=horizon, facts=facts)


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the task list with its count."""
    return [
        NavItem("tasks.index", _l("My tasks"), Permission.TASK_VIEW, 25, count=nav_count),
    ]
