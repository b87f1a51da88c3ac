"""Request, approve, return and reopen: the closure workflow. Services flush; requests commit.

Who may do what is checked here too (the routes call the same functions the tests do), with
refusals going through :func:`core.security.deny` so they are audited.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from casework import policy, stages
from casework.closure.models import CaseClosure, CaseReopening
from casework.closure.vocabulary import CLOSURE_REASONS, ClosureStatus
from casework.models import Case
from casework.services import CaseworkError, add_pending_request
from casework.vocabulary import Stage
from core import decisions
from core.exceptions import ConflictError
from core.lists import queries as lists
from core.permissions import Permission
from core.security import Actor, deny

MIN_TEXT = 10
MAX_TEXT = 4000


def _text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_TEXT:
        raise CaseworkError(message, field)
    if len(text) > MAX_TEXT:
        raise CaseworkError("Keep it under 4,000 characters.", field)
    return text


def pending_closure(db: Session, case: Case) -> CaseClosure | None:
    return db.scalar(
        select(CaseClosure).where(
            CaseClosure.case_id == case.id, CaseClosure.status == ClosureStatus.PENDING.value
        )
    )


def closures(db: Session, case: Case) -> list[CaseClosure]:
    """Every closure request of the case, newest first."""
    return list(
        db.scalars(
            select(CaseClosure)
            .where(CaseClosure.case_id == case.id)
            .order_by(CaseClosure.requested_at.desc())
        )
    )


def reopenings(db: Session, case: Case) -> list[CaseReopening]:
    return list(
        db.scalars(
            select(CaseReopening)
            .where(CaseReopening.case_id == case.id)
            .order_by(CaseReopening.reopened_at.desc())
        )
    )


def get_closure(db: Session, case: Case, closure_id: uuid.UUID) -> CaseClosure | None:
    closure = db.get(CaseClosure, closure_id)
    return closure if closure is not None and closure.case_id == case.id else None


def request_closure(
    db: Session, actor: Actor, case: Case, reason: str | None, summary: str | None
) -> CaseClosure:
    """Ask a supervisor to close the case; the case stays open until one approves."""
    policy.authorize_edit_case(actor, case)
    if not stages.is_open(case):
        raise CaseworkError("This case is closed already.")
    if pending_closure(db, case) is not None:
        raise CaseworkError("A closure request is already waiting for a supervisor.")
    code = reason or ""
    if code not in lists.offered(db, CLOSURE_REASONS):
        raise CaseworkError("Choose a reason from the list.", "reason")
    text = _text(summary, "summary", "Summarise the case and why it ends (10 characters or more).")
    closure = CaseClosure(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        reason=code,
        requested_by_id=actor.user_id,
    )
    closure.summary = text
    add_pending_request(
        db,
        actor,
        closure,
        waiting="A closure request is already waiting for a supervisor.",
        action="closure.requested",
        object_type="case_closure",
        reason=code,
    )
    return closure


def can_decide(actor: Actor, closure: CaseClosure) -> bool:
    """A supervisor of the case's organisation who did not request the closure."""
    return decisions.second_person(
        actor, Permission.CASE_APPROVE, closure.organisation_id, closure.requested_by_id
    )


def authorize_decision(actor: Actor, case: Case, closure: CaseClosure) -> None:
    """403 (audited) unless the actor may approve or return this closure request."""
    if can_decide(actor, closure) and case.organisation_id == closure.organisation_id:
        return
    reason = "own_request" if actor.user_id == closure.requested_by_id else "not_in_scope"
    deny(
        Permission.CASE_APPROVE,
        reason,
        object_type="case_closure",
        object_id=closure.id,
        case_id=case.id,
    )


def _decide(db: Session, actor: Actor, closure: CaseClosure, status: ClosureStatus) -> None:
    """Of two decisions at the same time the second finds the request decided already."""
    try:
        decisions.decide(db, closure, actor, status.value)
    except ConflictError:
        raise CaseworkError("This closure request has been decided already.") from None


def approve_closure(db: Session, actor: Actor, case: Case, closure: CaseClosure) -> None:
    """Approve the request: the case moves to closed (audited as a stage change too)."""
    authorize_decision(actor, case, closure)
    if not stages.is_open(case):
        raise CaseworkError("This case is closed already.")
    _decide(db, actor, closure, ClosureStatus.APPROVED)
    stages.advance(
        db,
        case,
        Stage.CLOSED,
        actor=actor,
        operation="closure_approved",
        from_stages=stages.OPEN_STAGES,
    )
    db.flush()
    record(
        db,
        "closure.approved",
        actor=actor,
        object_type="case_closure",
        object_id=closure.id,
        case_id=case.id,
        details={"reason": closure.reason},
    )


def return_closure(
    db: Session, actor: Actor, case: Case, closure: CaseClosure, comment: str | None
) -> None:
    """Send the request back to the caseworker with a comment; the case stays open."""
    authorize_decision(actor, case, closure)
    text = _text(comment, "comment", "Say what should change (10 characters or more).")
    _decide(db, actor, closure, ClosureStatus.RETURNED)
    closure.return_comment = text
    db.flush()
    record(
        db,
        "closure.returned",
        actor=actor,
        object_type="case_closure",
        object_id=closure.id,
        case_id=case.id,
    )


def can_reopen(actor: Actor, case: Case) -> bool:
    return (
        actor.can(Permission.CASE_EDIT)
        and policy.can_view_case(actor, case)
        and actor.organisation_id == case.organisation_id
    )


def authorize_reopen(actor: Actor, case: Case) -> None:
    """403 (audited) unless the actor works this case in its organisation."""
    if not can_reopen(actor, case):
        deny(
            Permission.CASE_EDIT,
            "not_in_scope",
            object_type="case",
            object_id=case.id,
            case_id=case.id,
        )


def reopen_case(db: Session, actor: Actor, case: Case, reason: str | None) -> CaseReopening:
    """Move a closed case back to assessment, with the reason why."""
    authorize_reopen(actor, case)
    if stages.is_open(case):
        raise CaseworkError("This case is open: there is nothing to reopen.")
    if case.person.erased_at is not None:
        raise CaseworkError("The person's data has been erased; the case stays closed.")
    text = _text(reason, "reason", "Say why the case is reopened (10 characters or more).")
    reopening = CaseReopening(
        id=uuid.uuid4(), case_id=case.id, person_id=case.person_id, reopened_by_id=actor.user_id
    )
    reopening.reason = text
    db.add(reopening)
    stages.advance(
        db,
        case,
        Stage.ASSESSMENT,
        actor=actor,
        operation="reopened",
        from_stages={Stage.CLOSED},
    )
    db.flush()
    record(
        db,
        "case.reopened",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"reopening_id": str(reopening.id)},
    )
    return reopening


def closures_waiting(db: Session, actor: Actor) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """Pending closure requests this supervisor may decide (never their own): the id, case id
    and case number of each (plain columns: the task list needs no more)."""
    if not decisions.may_decide_any(actor, Permission.CASE_APPROVE):
        return []
    rows = db.execute(
        select(CaseClosure.id, Case.id, Case.case_number)
        .join(Case, Case.id == CaseClosure.case_id)
        .where(
            decisions.waiting_for(actor, Permission.CASE_APPROVE, CaseClosure),
            Case.organisation_id == CaseClosure.organisation_id,
        )
        .order_by(CaseClosure.requested_at)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def end_pending_for_transfer(db: Session, actor: Actor, case: Case) -> None:
    """A transferred case's pending closure request goes back: its old organisation can no
    longer decide it and the new one makes its own request if it agrees."""

    def audit(closure: CaseClosure) -> None:
        record(
            db,
            "closure.returned",
            actor=actor,
            object_type="case_closure",
            object_id=closure.id,
            case_id=case.id,
            details={"reason_code": "case_transferred"},
        )

    decisions.end_waiting(
        db,
        CaseClosure,
        [CaseClosure.case_id == case.id],
        actor,
        ClosureStatus.RETURNED.value,
        audit,
    )


def on_case_transferred(case: Case, session: Session, actor: Actor, **_extra: object) -> None:
    """Receiver of ``casework.signals.case_transferred``: see :func:`end_pending_for_transfer`."""
    end_pending_for_transfer(session, actor, case)
