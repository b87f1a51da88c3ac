"""Task source of closure: approvals waiting for the supervisors who may decide them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.closure import services
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor


def closure_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """ "Closure approval waiting" for the supervisors who may decide it."""
    return [
        Task(
            kind="closure_approval",
            label=_l("Closure approval waiting"),
            reference=case.case_number,
            endpoint="casework.closure.decide",
            values={"case_id": case.id, "closure_id": closure.id},
            due=None,
            case_id=case.id,
            action=_l("Decide on the closure"),
        )
        for closure, case in services.closures_waiting(db, actor)
    ]


SOURCES = (closure_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
