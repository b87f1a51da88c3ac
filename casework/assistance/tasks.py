"""Task source of assistance: disbursements waiting for the supervisors who may decide them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.assistance import services
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor

#: Label and next step of each task, made once (not once a task: a list may hold a thousand).
APPROVAL = (_l("Disbursement waiting for approval"), _l("Approve or return the disbursement"))


def approval_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """ "Disbursement waiting for approval" for the supervisors who may decide it."""
    return [
        Task(
            kind="assistance_approval",
            label=APPROVAL[0],
            reference=number,
            endpoint="casework.assistance.decide",
            values={"case_id": case_id, "disbursement_id": disbursement_id},
            due=None,
            case_id=case_id,
            action=APPROVAL[1],
        )
        for disbursement_id, case_id, number in services.waiting(db, actor)
    ]


SOURCES = (approval_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
