"""Extension point: tasks and deadlines, derived from the data and never stored.

A task source is a function ``(session, actor, settings) -> list[Task]`` that reads what is due
for the signed-in user (reflection periods ending, plans due, visits due, approvals waiting,
referral answers overdue). Each package lists its sources in its ``tasks.py`` (``SOURCES``) and
connects ``tasks_of(SOURCES)``'s receiver to ``casework.signals.tasks_collecting`` in its
``init_app``; the task page and the navigation count call :func:`tasks_for` with the running
app's :class:`core.config.Settings`, which reach every source through the signal (sources read
no configuration of their own).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from casework.signals import tasks_collecting
from core.clock import utcnow
from core.config import Settings
from core.security import Actor
from core.signals import collect


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
    #: The next step in a few words ("Review the plan"), the label of the Today page's button.
    action: Any = None
    #: Waits for the actor's decision (an escalation): "Waiting for me" whatever its date.
    decision: bool = False

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < utcnow().date()


TaskSource = Callable[[Session, Actor, Settings], list[Task]]


def gather(
    sources: Iterable[TaskSource], session: Session, actor: Actor, settings: Settings
) -> list[Task]:
    """The tasks of every source, for a package's ``tasks_collecting`` receiver."""
    return [task for source in sources for task in source(session, actor, settings)]


def tasks_for(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """Every package's tasks for ``actor``: overdue first, then by due date."""
    found = collect(tasks_collecting, actor, list, session=db, settings=settings)
    tasks = [task for items in found for task in items]
    today = utcnow().date()  # once, not once a task (Task.overdue asks the clock each time)

    def order(task: Task) -> tuple[bool, date, str]:
        due = task.due or date.max
        return (not due < today, due, task.reference)

    return sorted(tasks, key=order)
