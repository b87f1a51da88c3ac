"""Task source of monitoring: follow-up visits due."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.monitoring import services
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor

#: Label and next step of each task, made once (not once a task: a list may hold a thousand).
VISIT_DUE = (_l("Follow-up visit due"), _l("Record the visit"))


def visits_due_tasks(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """ "Follow-up visit due" on the actor's cases."""
    return [
        Task(
            kind="visit_due",
            label=VISIT_DUE[0],
            reference=due.case_number,
            endpoint="casework.monitoring.record",
            values={"case_id": due.case_id},
            due=due.due,
            case_id=due.case_id,
            action=VISIT_DUE[1],
        )
        for due in services.visits_due(
            db, actor, interval_days=settings.casework.visit_interval_days
        )
    ]


SOURCES = (visits_due_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
