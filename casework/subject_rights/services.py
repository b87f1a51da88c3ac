"""Subject access export, and erasure with a second supervisor's confirmation.

An erasure is requested by one supervisor and confirmed by another of the same organisation;
only the confirmation runs the crypto-shredding (:func:`casework.erasure.erase_person`). A
person who also has cases in another organisation is not erased from here: that organisation
holds its own data about them and must agree, so the request is refused with a clear message.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import record
from auth.queries import user_names
from casework.erasure import erase_person
from casework.models import Case, Person
from casework.services import CaseworkError, add_pending_request
from casework.subject_rights import policy
from casework.subject_rights.export import person_records
from casework.subject_rights.models import ErasureRequest
from casework.subject_rights.vocabulary import ErasureReason, ErasureStatus
from core import decisions
from core.clock import utcnow
from core.exceptions import ConflictError
from core.permissions import Permission
from core.security import Actor, deny

EXPORT_FORMATS = ("json", "html")


def export_person(db: Session, actor: Actor, case: Case, fmt: str) -> dict[str, Any]:
    """Everything held about the case's person, audited as ``person.exported`` with the format."""
    policy.authorize(actor, case, Permission.PERSON_EXPORT)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    person = case.person
    if person.erased_at is not None:
        raise CaseworkError("This person's data has been erased: there is nothing to export.")
    records = person_records(db, person, case.organisation_id)
    elsewhere = db.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.person_id == person.id, Case.organisation_id != case.organisation_id)
    )
    record(
        db,
        "person.exported",
        actor=actor,
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        details={"format": fmt, "rows": sum(len(rows) for rows in records.values())},
    )
    return {
        "person_id": str(person.id),
        "case_number": case.case_number,
        "exported_at": utcnow().isoformat(),
        "exported_by": user_names(db, {actor.user_id}).get(actor.user_id, ""),
        "records": records,
        "cases_held_by_other_organisations": elsewhere or 0,
    }


def pending_erasure(db: Session, person: Person) -> ErasureRequest | None:
    return db.scalar(
        select(ErasureRequest).where(
            ErasureRequest.person_id == person.id,
            ErasureRequest.status == ErasureStatus.PENDING.value,
        )
    )


def get_erasure(db: Session, case: Case, request_id: uuid.UUID) -> ErasureRequest | None:
    found = db.get(ErasureRequest, request_id)
    return found if found is not None and found.person_id == case.person_id else None


def _refuse_other_organisations(db: Session, case: Case) -> None:
    others = db.scalar(
        select(Case.id)
        .where(Case.person_id == case.person_id, Case.organisation_id != case.organisation_id)
        .limit(1)
    )
    if others is not None:
        raise CaseworkError(
            "This person also has a case with another organisation. Erasure would destroy that "
            "organisation's records too: ask them to transfer or close their case first."
        )


def request_erasure(db: Session, actor: Actor, case: Case, reason: str | None) -> ErasureRequest:
    """First supervisor: ask for the erasure; nothing is erased until another one confirms."""
    policy.authorize(actor, case, Permission.PERSON_ERASE)
    if case.person.erased_at is not None:
        raise CaseworkError("This person's data has been erased already.")
    if pending_erasure(db, case.person) is not None:
        raise CaseworkError("An erasure request is already waiting for confirmation.")
    try:
        code = ErasureReason(reason or "")
    except ValueError:
        raise CaseworkError("Choose a reason from the list.", "reason") from None
    _refuse_other_organisations(db, case)
    request = ErasureRequest(
        id=uuid.uuid4(),
        person_id=case.person_id,
        case_id=case.id,
        organisation_id=case.organisation_id,
        reason=code.value,
        requested_by_id=actor.user_id,
    )
    add_pending_request(
        db,
        actor,
        request,
        waiting="An erasure request is already waiting for confirmation.",
        action="erasure.requested",
        object_type="erasure_request",
        reason=code.value,
    )
    return request


def can_confirm(actor: Actor, request: ErasureRequest) -> bool:
    """Another supervisor of the organisation that asked for the erasure."""
    return decisions.second_person(
        actor, Permission.PERSON_ERASE, request.organisation_id, request.requested_by_id
    )


def authorize_confirmation(actor: Actor, case: Case, request: ErasureRequest) -> None:
    """403 (audited) unless a second supervisor of the organisation confirms."""
    if can_confirm(actor, request):
        return
    deny(
        Permission.PERSON_ERASE,
        "own_request" if actor.user_id == request.requested_by_id else "not_in_scope",
        object_type="erasure_request",
        object_id=request.id,
        case_id=case.id,
    )


def _decide(db: Session, actor: Actor, request: ErasureRequest, status: ErasureStatus) -> None:
    """A cancel and a confirm made at the same time: the second finds the request decided."""
    try:
        decisions.decide(db, request, actor, status.value)
    except ConflictError:
        raise CaseworkError("This erasure request has been decided already.") from None


def confirm_erasure(
    db: Session, actor: Actor, case: Case, request: ErasureRequest
) -> list[uuid.UUID]:
    """Second supervisor: confirm, then crypto-shred the person (statistics kept)."""
    authorize_confirmation(actor, case, request)
    # Read the person again under a row lock before anything is written: once erased (by
    # another request or the retention job), confirming would record an erasure that never ran.
    # The lock comes first: a case another organisation registers for the person meanwhile
    # waits for it (on SQLite, for the write lock it takes), so the check below sees it.
    db.refresh(case.person, with_for_update=True)
    if case.person.erased_at is not None:
        raise CaseworkError("This person's data has been erased already.")
    _refuse_other_organisations(db, case)
    _decide(db, actor, request, ErasureStatus.CONFIRMED)
    db.flush()
    record(
        db,
        "erasure.confirmed",
        actor=actor,
        object_type="erasure_request",
        object_id=request.id,
        case_id=case.id,
        details={"reason": request.reason},
    )
    return erase_person(db, actor, case.person, f"erasure request {request.id}")


def cancel_erasure(db: Session, actor: Actor, case: Case, request: ErasureRequest) -> None:
    """Any supervisor of the organisation (the requester included) may cancel a pending one."""
    policy.authorize(actor, case, Permission.PERSON_ERASE)
    if actor.organisation_id != request.organisation_id:
        deny(
            Permission.PERSON_ERASE,
            "not_in_scope",
            object_type="erasure_request",
            object_id=request.id,
            case_id=case.id,
        )
    _decide(db, actor, request, ErasureStatus.CANCELLED)
    db.flush()
    record(
        db,
        "erasure.cancelled",
        actor=actor,
        object_type="erasure_request",
        object_id=request.id,
        case_id=case.id,
    )


def erasures_waiting(db: Session, actor: Actor) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """Pending erasure requests this supervisor may confirm (never their own): the id, case id
    and case number of each (plain columns: the task list needs no more)."""
    if not decisions.may_decide_any(actor, Permission.PERSON_ERASE):
        return []
    rows = db.execute(
        select(ErasureRequest.id, Case.id, Case.case_number)
        .join(Case, Case.id == ErasureRequest.case_id)
        .where(
            decisions.waiting_for(actor, Permission.PERSON_ERASE, ErasureRequest),
            Case.organisation_id == ErasureRequest.organisation_id,
        )
        .order_by(ErasureRequest.requested_at)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def cancel_waiting(
    db: Session,
    actor: Actor | None,
    where: list[Any],
    reason_code: str,
    case_id: uuid.UUID | None = None,
) -> None:
    """Cancel the waiting erasure requests matching ``where``, each audited with the reason
    code (and ``case_id``, or the request's own case)."""

    def audit(request: ErasureRequest) -> None:
        record(
            db,
            "erasure.cancelled",
            actor=actor,
            object_type="erasure_request",
            object_id=request.id,
            case_id=case_id or request.case_id,
            details={"reason_code": reason_code},
        )

    decisions.end_waiting(db, ErasureRequest, where, actor, ErasureStatus.CANCELLED.value, audit)


def cancel_pending_for_transfer(db: Session, actor: Actor, case: Case) -> None:
    """A pending erasure request of the old organisation is cancelled when the case moves:
    nobody there can confirm it any more, and the new organisation decides afresh."""
    where = [
        ErasureRequest.person_id == case.person_id,
        ErasureRequest.organisation_id != case.organisation_id,
    ]
    cancel_waiting(db, actor, where, "case_transferred", case.id)


def on_person_erasing(
    case: Case, session: Session, actor: Actor | None = None, **_extra: object
) -> None:
    """Receiver of ``casework.signals.person_erasing``: an erasure request still waiting (the
    person erased by the retention job or the command line instead) is cancelled, so nobody
    is asked to confirm what has been done already."""
    cancel_waiting(session, actor, [ErasureRequest.person_id == case.person_id], "person_erased")


def on_case_transferred(case: Case, session: Session, actor: Actor, **_extra: object) -> None:
    """Receiver of ``casework.signals.case_transferred``: cancels a pending erasure request."""
    cancel_pending_for_transfer(session, actor, case)
