"""Task source of screening: reflection and recovery periods ending (Art. 13 deadlines)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.screening.services import reflection_deadlines
from casework.tasks import Task, gather
from core.config import Settings
from core.permissions import Permission
from core.security import Actor

#: Label and next step of each task, made once (not once a task: a list may hold a thousand).
PERIOD_ENDING = (_l("Reflection period ends"), _l("Open the case"))


def reflection_tasks(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """Reflection and recovery periods ending on the actor's cases (Art. 13 deadlines)."""
    if not actor.can(Permission.CASE_VIEW):
        return []
    deadlines = reflection_deadlines(db, actor, within_days=settings.casework.task_horizon_days)
    return [
        Task(
            kind="reflection_period_ending",
            label=PERIOD_ENDING[0],
            reference=d.case_number,
            endpoint="casework.case",
            values={"case_id": d.case_id},
            due=d.ends_on,
            case_id=d.case_id,
            action=PERIOD_ENDING[1],
        )
        for d in deadlines
    ]


SOURCES = (reflection_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
