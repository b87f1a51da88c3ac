"""Task source of closure: approvals waiting for the supervisors who may decide them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.closure import services
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor

#: Label and next step of each task, made once (not once a task: a list may hold a thousand).
APPROVAL = (_l("Closure approval waiting"), _l("Decide on the closure"))


def closure_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """ "Closure approval waiting" for the supervisors who may decide it."""
    return [
        Task(
            kind="closure_approval",
            label=APPROVAL[0],
            reference=number,
            endpoint="casework.closure.decide",
            values={"case_id": case_id, "closure_id": closure_id},
            due=None,
            case_id=case_id,
            action=APPROVAL[1],
        )
        for closure_id, case_id, number in services.closures_waiting(db, actor)
    ]


SOURCES = (closure_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
