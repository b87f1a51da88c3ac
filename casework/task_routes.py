"""The task list: what is overdue, due soon and waiting, for the signed-in user.

Tasks are derived from the data by the sources registered in :mod:`casework.tasks`; nothing is
stored. The navigation shows how many need attention now (overdue, due soon or waiting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import Blueprint, current_app, render_template
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from audit.services import record
from casework.screening.services import reflection_deadlines
from casework.tasks import Task, register_task_source, tasks_for
from core.clock import utcnow
from core.db import get_session
from core.extensions import NavItem, register_nav_item
from core.permissions import Permission
from core.security import Actor, require, require_actor

blueprint = Blueprint("tasks", __name__, url_prefix="/tasks")


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


def _horizon() -> int:
    days: int = current_app.config["TASK_HORIZON_DAYS"]
    return days


def actor_task_groups(actor: Actor) -> TaskGroups:
    return group_tasks(tasks_for(get_session(), actor), _horizon())


def _nav_count(actor: Actor) -> int:
    return actor_task_groups(actor).needing_attention


def reflection_tasks(db: Session, actor: Actor) -> list[Task]:
    """Reflection and recovery periods ending on the actor's cases (Art. 13 deadlines)."""
    if not actor.can(Permission.CASE_VIEW):
        return []
    deadlines = reflection_deadlines(db, actor, within_days=_horizon())
    return [
        Task(
            kind="reflection_period_ending",
            label=_l("Reflection period ends"),
            reference=d.case_number,
            endpoint="casework.case",
            values={"case_id": d.case_id},
            due=d.ends_on,
            case_id=d.case_id,
        )
        for d in deadlines
    ]


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    register_nav_item(
        state.app,
        NavItem("tasks.index", _l("My tasks"), Permission.TASK_VIEW, 25, count=_nav_count),
    )
    register_task_source(state.app, reflection_tasks)


@blueprint.get("/")
@require(Permission.TASK_VIEW)
def index() -> ResponseReturnValue:
    actor = require_actor()
    groups = actor_task_groups(actor)
    record(get_session(), "tasks.viewed", actor=actor, details={"count": groups.total})
    return render_template("casework/tasks.html", groups=groups, horizon=_horizon())
