"""Task source of assistance: disbursements waiting for the supervisors who may decide them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.assistance import services
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor


def approval_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """ "Disbursement waiting for approval" for the supervisors who may decide it."""
    return [
        Task(
            kind="assistance_approval",
            label=_l("Disbursement waiting for approval"),
            reference=case.case_number,
            endpoint="casework.assistance.decide",
            values={"case_id": case.id, "disbursement_id": disbursement.id},
            due=None,
            case_id=case.id,
            action=_l("Approve or return the disbursement"),
        )
        for disbursement, case in services.waiting(db, actor)
    ]


SOURCES = (approval_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
