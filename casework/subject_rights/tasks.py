"""Task source of subject rights: erasures waiting for a second supervisor's confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.subject_rights import services
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor

#: Label and next step of each task, made once (not once a task: a list may hold a thousand).
CONFIRMATION = (_l("Erasure confirmation waiting"), _l("Confirm or cancel the erasure"))


def erasure_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """ "Erasure confirmation waiting" for the other supervisors of the organisation."""
    return [
        Task(
            kind="erasure_confirmation",
            label=CONFIRMATION[0],
            reference=number,
            endpoint="casework.subject_rights.confirm_erasure",
            values={"case_id": case_id, "request_id": request_id},
            due=None,
            case_id=case_id,
            action=CONFIRMATION[1],
        )
        for request_id, case_id, number in services.erasures_waiting(db, actor)
    ]


SOURCES = (erasure_tasks,)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
