"""Task sources of planning: plans due, plan actions due or overdue, approvals waiting.

- Plan due: an open case whose plan was never approved, due ``PLAN_DUE_DAYS`` after the case
  was opened (IOM aims for a plan within a month of return). It goes to the assigned
  caseworker; an unassigned case goes to every supervisor of its organisation, since
  somebody has to assign it before anyone can plan.
- Plan action due: an open action (planned or in progress) due within a week or overdue, for
  its responsible staff member, or for the assigned caseworker when someone outside the
  organisation is responsible.
- Plan approval waiting: a submitted plan, for the supervisors of the organisation who may
  decide on it (not its submitter, nor anyone who changed it since its last approval).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.planning.models import Plan, PlanAction, PlanEditor
from casework.planning.vocabulary import OPEN_ACTION_STATUSES, PlanStatus
from casework.tasks import Task, gather
from casework.vocabulary import Stage
from core.clock import utcnow
from core.config import Settings
from core.permissions import Role
from core.security import Actor

#: How far ahead a due date shows up as a task.
LOOKAHEAD_DAYS = 7


#: Label and next step of each kind of task, made once (not once a task: a list may hold a
#: thousand).
PLAN_DUE = (_l("Reintegration plan due"), _l("Write the plan"))
ACTION_DUE = (_l("Plan action due"), _l("Update the plan"))
APPROVAL = (_l("Plan waiting for your approval"), _l("Review the plan"))


def _open_case() -> ColumnElement[bool]:
    return and_(Case.stage != Stage.CLOSED.value, Person.erased_at.is_(None))


def plan_due(db: Session, actor: Actor, due_days: int = Settings.PLAN_DUE_DAYS) -> list[Task]:
    """Cases whose plan should be approved ``due_days`` after opening and is not yet."""
    if actor.role is Role.CASEWORKER:
        mine = and_(
            Case.organisation_id == actor.organisation_id, Case.assigned_to_id == actor.user_id
        )
    elif actor.role is Role.SUPERVISOR:
        mine = and_(Case.organisation_id == actor.organisation_id, Case.assigned_to_id.is_(None))
    else:
        return []
    days = due_days
    today = utcnow().date()
    start_of = datetime.combine(today + timedelta(days=LOOKAHEAD_DAYS - days + 1), time.min)
    opened_by = start_of.replace(tzinfo=UTC)
    approved = select(Plan.id).where(Plan.case_id == Case.id, Plan.approved_at.is_not(None))
    rows = db.execute(
        select(Case.id, Case.case_number, Case.opened_at)
        .join(Person, Person.id == Case.person_id)
        .where(mine, _open_case(), ~approved.exists(), Case.opened_at < opened_by)
        .order_by(Case.opened_at)
    ).all()
    return [
        Task(
            kind="plan_due",
            label=PLAN_DUE[0],
            reference=number,
            endpoint="casework.case",
            values={"case_id": case_id, "_anchor": "plan"},
            due=opened_at.date() + timedelta(days=days),
            case_id=case_id,
            action=PLAN_DUE[1],
        )
        for case_id, number, opened_at in rows
    ]


def plan_actions_due(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR):
        return []
    horizon = utcnow().date() + timedelta(days=LOOKAHEAD_DAYS)
    rows = db.execute(
        select(Case.id, Case.case_number, PlanAction.due_on)
        .join(Plan, Plan.id == PlanAction.plan_id)
        .join(Case, Case.id == Plan.case_id)
        .join(Person, Person.id == Case.person_id)
        .where(
            _open_case(),
            Case.organisation_id == actor.organisation_id,
            PlanAction.status.in_(OPEN_ACTION_STATUSES),
            PlanAction.due_on <= horizon,
            or_(
                PlanAction.responsible_user_id == actor.user_id,
                and_(
                    PlanAction.responsible_user_id.is_(None),
                    Case.assigned_to_id == actor.user_id,
                ),
            ),
        )
        .order_by(PlanAction.due_on)
    ).all()
    return [
        Task(
            kind="plan_action_due",
            label=ACTION_DUE[0],
            reference=number,
            endpoint="casework.planning.plan",
            values={"case_id": case_id},
            due=due_on,
            case_id=case_id,
            action=ACTION_DUE[1],
        )
        for case_id, number, due_on in rows
    ]


def plan_approvals_waiting(db: Session, actor: Actor, _settings: Settings) -> list[Task]:
    if actor.role is not Role.SUPERVISOR:
        return []
    edited = select(PlanEditor.plan_id).where(
        PlanEditor.plan_id == Plan.id, PlanEditor.user_id == actor.user_id
    )
    rows = db.execute(
        select(Case.id, Case.case_number)
        .join(Plan, Plan.case_id == Case.id)
        .join(Person, Person.id == Case.person_id)
        .where(
            _open_case(),
            Case.organisation_id == actor.organisation_id,
            Plan.status == PlanStatus.SUBMITTED.value,
            Plan.submitted_by_id != actor.user_id,
            ~edited.exists(),
        )
        .order_by(Plan.submitted_at)
    ).all()
    return [
        Task(
            kind="plan_approval",
            label=APPROVAL[0],
            reference=number,
            endpoint="casework.planning.review",
            values={"case_id": case_id},
            case_id=case_id,
            action=APPROVAL[1],
        )
        for case_id, number in rows
    ]


def _plan_due_source(db: Session, actor: Actor, settings: Settings) -> list[Task]:
    """The task source: plans are due after the setting HOMEWARD_PLAN_DUE_DAYS."""
    return plan_due(db, actor, settings.casework.plan_due_days)


SOURCES = (_plan_due_source, plan_actions_due, plan_approvals_waiting)


def tasks_of(actor: Actor, session: Session, settings: Settings, **_extra: object) -> list[Task]:
    """Receiver of ``casework.signals.tasks_collecting``: the tasks of :data:`SOURCES`."""
    return gather(SOURCES, session, actor, settings)
