"""Task sources of safety: flags raised for the supervisors, safety plans due for review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.safety import queries
from casework.tasks import Task, gather
from core.config import Settings
from core.security import Actor

#: Label and next step of each kind of task, made once (not once a task: a list may hold a
#: thousand).
FLAG_RAISED = (_l("Safety flag raised"), _l("See the flag"))
REVIEW_DUE = (_l("Safety plan review due"), _l("Review the safety plan"))


def flags_to_see_tasks(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    """ "Safety flag raised" for the supervisors of the case's organisation, until one of
    them marks it seen."""
    return [
        Task(
            kind="flag_raised",
            label=FLAG_RAISED[0],
            reference=number,
            endpoint="casework.safety.flags",
            values={"case_id": case_id},
            due=None,
            case_id=case_id,
            action=FLAG_RAISED[1],
            decision=True,
        )
        for case_id, number in queries.flags_waiting(db, actor)
    ]


def reviews_due_tasks(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """ "Safety plan review due" on the actor's cases."""
    return [
        Task(
            kind="safety_review_due",
            label=REVIEW_DUE[0],
            reference=due.case_number,
            endpoint="casework.safety.edit_plan",
            values={"case_id": due.case_id},
            due=due.due,
            case_id=due.case_id,
            action=REVIEW_DUE[1],
        )
        for due in queries.reviews_due(db, actor, within_days=settings.casework.task_horizon_days)
    ]


SOURCES = (flags_to_see_tasks, reviews_due_tasks)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
