"""Start, change, submit, approve or return the reintegration plan of a case.

Stage changes happen only through :func:`casework.stages.advance`: starting the plan moves
assessment -> planning, the first approval planning -> implementation (the first assessment,
in :mod:`casework.planning.assessments`, moves identification -> assessment). Services flush
only; the request commits.

What needs a new approval: adding, editing or removing an action of an approved plan (the
plan becomes "changed, needs approval"). Updating the status of an action (planned, in
progress, done, cancelled) does not: it reports progress on what was approved, changes
nothing that was approved, and does not move the plan's version either, so a caseworker
ticking an action done never makes a supervisor's open approval page stale.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import Session

from audit import record
from casework import stages
from casework.models import Case
from casework.planning.assessments import EARLIEST, assessments, clean, require_open
from casework.planning.models import Plan, PlanAction, PlanEditor
from casework.planning.queries import action_values, staff
from casework.planning.vocabulary import (
    ActionStatus,
    Dimension,
    PlanStatus,
)
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.clock import utcnow
from core.db import flush_or_conflict
from core.exceptions import EditConflict
from core.memo import remembered
from core.security import Actor


@dataclass
class ActionDetails:
    dimension: Dimension
    description: str
    due_on: date
    status: ActionStatus = ActionStatus.PLANNED
    responsible_user_id: uuid.UUID | None = None
    responsible_other: str | None = None


# The plan ----------------------------------------------------------------------------------


def get_plan(db: Session, case: Case) -> Plan | None:
    """The case's plan (read once a request: the next step and the plan panel both ask)."""
    return remembered(
        db, ("plan", case.id), lambda: db.scalar(select(Plan).where(Plan.case_id == case.id))
    )


def get_action(plan: Plan, action_id: uuid.UUID) -> PlanAction | None:
    return next((a for a in plan.actions if a.id == action_id), None)


def start_plan(db: Session, actor: Actor, case: Case) -> Plan:
    """Start the case's plan (an assessment must exist); moves assessment -> planning.

    A reopened case (back at assessment) plans again from its earlier plan, which then needs
    a new approval; otherwise a case with a plan cannot start another.
    """
    require_open(case)
    if not assessments(db, case):
        raise CaseworkError("Record a needs assessment before starting the plan.")
    plan = get_plan(db, case)
    restarted = plan is not None
    if plan is not None:
        if case.stage != Stage.ASSESSMENT.value:
            raise CaseworkError("This case has a plan already.")
        _changed_by(plan, actor)
    else:
        plan = Plan(
            id=uuid.uuid4(),
            case_id=case.id,
            status=PlanStatus.DRAFT.value,
            created_by_id=actor.user_id,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        plan.editors.append(PlanEditor(user_id=actor.user_id))
        try:
            # Two starts at once both found no plan; the unique case id lets one win.
            with db.begin_nested():
                db.add(plan)
        except IntegrityError:
            raise CaseworkError("This case has a plan already.") from None
    db.flush()
    record(
        db,
        "plan.started",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"restarted": restarted},
    )
    stages.advance(
        db,
        case,
        Stage.PLANNING,
        actor=actor,
        operation="plan_started",
        from_stages={Stage.ASSESSMENT},
    )
    return plan


def check_version(plan: Plan, loaded_version: int, current: dict[str, Any]) -> None:
    if plan.version != loaded_version:
        raise EditConflict(current, plan.version)


def flush_plan(
    db: Session, plan: Plan, current: Callable[[], dict[str, Any]] | None = None
) -> None:
    flush_or_conflict(db, lambda: EditConflict(_stored(current), plan.version))


def _stored(current: Callable[[], dict[str, Any]] | None) -> dict[str, Any]:
    """What is stored now, read after the rollback ({} when the other save removed it)."""
    try:
        return current() if current is not None else {}
    except InvalidRequestError:  # ObjectDeletedError: the action was removed meanwhile
        return {}


def _changed_by(plan: Plan, actor: Actor) -> None:
    """Note an edit: the editor may not approve, and an approved plan needs a new approval."""
    plan.updated_at = utcnow()
    if actor.user_id not in plan.editor_ids:
        plan.editors.append(PlanEditor(user_id=actor.user_id))
    if plan.status == PlanStatus.APPROVED.value:
        plan.status = PlanStatus.CHANGED.value


def _check_action(db: Session, case: Case, details: ActionDetails) -> tuple[str, str | None]:
    description = clean(details.description)
    if description is None:
        raise CaseworkError("Say what is to be done.", "description")
    other = clean(details.responsible_other)
    if details.responsible_user_id is not None:
        if details.responsible_user_id not in {u.id for u in staff(db, case)}:
            raise CaseworkError(
                "Choose an active staff member of this organisation.", "responsible_user"
            )
        other = None
    elif other is None:
        raise CaseworkError(
            "Choose a staff member or name the person or provider responsible.",
            "responsible_other",
        )
    if details.due_on < EARLIEST:
        raise CaseworkError("Check the year: this date is too far in the past.", "due_on")
    return description, other


def add_action(
    db: Session, actor: Actor, case: Case, plan: Plan, details: ActionDetails
) -> PlanAction:
    """Add an action (an approved plan then needs a new approval)."""
    require_open(case)
    description, other = _check_action(db, case, details)
    action = _append_action(plan, case, details, description, other)
    _changed_by(plan, actor)
    flush_plan(db, plan)
    _record_added(db, actor, case, plan, action)
    return action


class ActionRowsError(CaseworkError):
    """Some rows of a several-actions save were refused; ``rows`` maps each row's position to
    its refusal. Nothing was saved."""

    def __init__(self, rows: dict[int, CaseworkError]) -> None:
        super().__init__("Check the rows marked below: nothing was saved.")
        self.rows = rows


def add_actions(
    db: Session,
    actor: Actor,
    case: Case,
    plan: Plan,
    rows: list[ActionDetails],
    loaded_version: int,
) -> list[PlanAction]:
    """Add several actions at once, all or none, against the plan version the page showed.

    Raises ActionRowsError naming every refused row, EditConflict when the plan changed.
    """
    require_open(case)
    check_version(plan, loaded_version, {})
    if not rows:
        raise CaseworkError("Fill in at least one row: what, who and by when.")
    checked: list[tuple[str, str | None]] = []
    refused: dict[int, CaseworkError] = {}
    for position, details in enumerate(rows):
        try:
            checked.append(_check_action(db, case, details))
        except CaseworkError as exc:
            refused[position] = exc
    if refused:
        raise ActionRowsError(refused)
    added = [
        _append_action(plan, case, details, description, other)
        for details, (description, other) in zip(rows, checked, strict=True)
    ]
    _changed_by(plan, actor)
    flush_plan(db, plan)
    for action in added:
        _record_added(db, actor, case, plan, action)
    return added


def _append_action(
    plan: Plan, case: Case, details: ActionDetails, description: str, other: str | None
) -> PlanAction:
    action = PlanAction(
        id=uuid.uuid4(),
        person_id=case.person_id,
        dimension=details.dimension.value,
        responsible_user_id=details.responsible_user_id,
        due_on=details.due_on,
        status=details.status.value,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    action.description = description
    action.responsible_other = other
    plan.actions.append(action)
    return action


def _record_added(db: Session, actor: Actor, case: Case, plan: Plan, action: PlanAction) -> None:
    record(
        db,
        "plan.action_added",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"action_id": str(action.id), "dimension": action.dimension},
    )


def update_action(
    db: Session,
    actor: Actor,
    case: Case,
    plan: Plan,
    action: PlanAction,
    details: ActionDetails,
    loaded_version: int,
) -> list[str]:
    """Save an edited action against the plan version the form was loaded at; the changed
    field names (an approved plan then needs a new approval). Raises EditConflict."""
    require_open(case)
    current = action_values(db, action)
    check_version(plan, loaded_version, current)
    description, other = _check_action(db, case, details)
    wanted: dict[str, Any] = {
        "dimension": details.dimension.value,
        "description": description,
        "responsible_user_id": details.responsible_user_id,
        "responsible_other": other,
        "due_on": details.due_on,
        "status": details.status.value,
    }
    changed = [name for name, value in wanted.items() if getattr(action, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(action, name, wanted[name])
    action.updated_at = utcnow()
    if changed != ["status"]:
        _changed_by(plan, actor)
    flush_plan(db, plan, lambda: action_values(db, action))
    record(
        db,
        "plan.action_updated",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"action_id": str(action.id), "fields": changed},
    )
    return changed


def remove_action(
    db: Session, actor: Actor, case: Case, plan: Plan, action: PlanAction, loaded_version: int
) -> None:
    """Remove an action (an approved plan then needs a new approval). Raises EditConflict."""
    require_open(case)
    current = action_values(db, action)
    check_version(plan, loaded_version, current)
    plan.actions.remove(action)
    _changed_by(plan, actor)
    flush_plan(db, plan)
    record(
        db,
        "plan.action_removed",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"action_id": str(action.id), "dimension": action.dimension},
    )


def set_action_status(
    db: Session, actor: Actor, case: Case, plan: Plan, action: PlanAction, status: ActionStatus
) -> bool:
    """Report progress on an action; no new approval needed (see the module docstring)."""
    require_open(case)
    if action.status == status.value:
        return False
    previous = action.status
    # Compare-and-set on the status this request saw: of two reports at once one is written,
    # the other changes nothing (and the log never says "from" a status the action no
    # longer had).
    table = cast(Table, PlanAction.__table__)
    written = db.execute(
        update(table)
        .where(table.c.id == action.id, table.c.status == previous)
        .values(status=status.value, updated_at=utcnow())
    )
    db.refresh(action)
    if written.rowcount != 1:  # type: ignore[attr-defined]
        raise CaseworkError(
            "Someone else changed this action's status just now; see the current status."
        )
    record(
        db,
        "plan.action_status_changed",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"action_id": str(action.id), "from": previous, "to": status.value},
    )
    return True


# Views -------------------------------------------------------------------------------------


def record_view(
    db: Session, actor: Actor, case: Case, action: str, object_type: str, object_id: uuid.UUID
) -> None:
    """Audit a view: ``assessment.viewed`` (history or one assessment) or ``plan.viewed``."""
    record(db, action, actor=actor, object_type=object_type, object_id=object_id, case_id=case.id)
