"""Extension point: tasks and deadlines, derived from the data and never stored.

A task source is a function ``(session, actor) -> list[Task]`` that reads what is due for the
signed-in user (reflection periods ending, plans due, visits due, approvals waiting, referral
answers overdue). Casework's own parts and Referrals register sources when their blueprints
are registered; the dashboard and the navigation counts call :func:`tasks_for`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask.sansio.app import App
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.security import Actor

EXTENSION = "homeward_task_sources"


@dataclass(frozen=True)
class Task:
    """One thing someone has to do; ``label`` and ``reference`` hold no personal data.

    ``reference`` is what the list shows to identify the object (a case or referral number);
    ``endpoint`` and ``values`` build the link (ids only, never personal data).
    """

    kind: str
    label: Any
    reference: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    due: date | None = None
    case_id: uuid.UUID | None = None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < utcnow().date()


TaskSource = Callable[[Session, Actor], list[Task]]


def register_task_source(app: App, source: TaskSource) -> None:
    app.extensions.setdefault(EXTENSION, []).append(source)


def task_sources() -> list[TaskSource]:
    sources: list[TaskSource] = current_app.extensions.get(EXTENSION, [])
    return sources


def horizon_days() -> int:
    """How many days ahead a deadline counts as due soon (a setting)."""
    days: int = current_app.config["TASK_HORIZON_DAYS"]
    return days


def tasks_for(db: Session, actor: Actor) -> list[Task]:
    """Every registered source's tasks for ``actor``: overdue first, then by due date."""
    tasks = [task for source in task_sources() for task in source(db, actor)]
    return sorted(tasks, key=lambda t: (not t.overdue, t.due or date.max, t.reference))
