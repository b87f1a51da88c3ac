"""Transferring a case to another case-management organisation (request -> accept/decline)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from casework.models import Case, CaseTransfer
from casework.services import CaseworkError
from core.clock import utcnow
from core.permissions import Permission, Role
from core.security import Actor

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


def receiving_organisations(db: Session, case: Case) -> list[Organisation]:
    return list(
        db.scalars(
            select(Organisation)
            .where(
                Organisation.is_case_agency.is_(True),
                Organisation.active.is_(True),
                Organisation.id != case.organisation_id,
            )
            .order_by(Organisation.name)
        )
    )


def pending_transfer(db: Session, case: Case) -> CaseTransfer | None:
    return db.scalar(
        select(CaseTransfer).where(CaseTransfer.case_id == case.id, CaseTransfer.status == PENDING)
    )


def request_transfer(
    db: Session, actor: Actor, case: Case, to_organisation_id: uuid.UUID
) -> CaseTransfer:
    """A supervisor of the case's organisation asks another organisation to take the case."""
    target = db.get(Organisation, to_organisation_id)
    if target is None or target not in receiving_organisations(db, case):
        raise CaseworkError("Choose another active case-management organisation.", "organisation")
    if pending_transfer(db, case) is not None:
        raise CaseworkError("A transfer of this case is waiting for an answer already.")
    transfer = CaseTransfer(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        from_organisation_id=case.organisation_id,
        to_organisation_id=target.id,
        requested_by_id=actor.user_id,
        status=PENDING,
    )
    db.add(transfer)
    db.flush()
    record(
        db,
        "case.transfer_requested",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"transfer_id": str(transfer.id), "to": str(target.id)},
    )
    return transfer


def incoming_transfers(db: Session, actor: Actor) -> list[CaseTransfer]:
    """Transfers waiting for the actor's organisation (supervisors only)."""
    if actor.role is not Role.SUPERVISOR or actor.organisation_id is None:
        return []
    return list(
        db.scalars(
            select(CaseTransfer)
            .where(
                CaseTransfer.to_organisation_id == actor.organisation_id,
                CaseTransfer.status == PENDING,
            )
            .order_by(CaseTransfer.requested_at)
        )
    )


def may_decide(actor: Actor, transfer: CaseTransfer) -> bool:
    return (
        actor.can(Permission.CASE_ASSIGN)
        and transfer.status == PENDING
        and transfer.to_organisation_id == actor.organisation_id
    )


def accept(db: Session, actor: Actor, transfer: CaseTransfer) -> Case:
    """The case moves to the actor's organisation, assigned to the actor; the sender loses it."""
    case = db.get(Case, transfer.case_id)
    assert case is not None
    if case.organisation_id != transfer.from_organisation_id:
        raise CaseworkError("The case has moved since the transfer was requested.")
    now = utcnow()
    transfer.status, transfer.decided_by_id, transfer.decided_at = ACCEPTED, actor.user_id, now
    case.organisation_id = transfer.to_organisation_id
    case.assigned_to_id = actor.user_id
    case.updated_at = now
    db.flush()
    # Requests the old organisation alone could decide would otherwise block the case for good.
    from casework.closure.services import end_pending_for_transfer
    from casework.subject_rights.services import cancel_pending_for_transfer

    end_pending_for_transfer(db, actor, case)
    cancel_pending_for_transfer(db, actor, case)
    record(
        db,
        "case.transferred",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"transfer_id": str(transfer.id), "from": str(transfer.from_organisation_id)},
    )
    return case


def decline(db: Session, actor: Actor, transfer: CaseTransfer, reason: str) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise CaseworkError("Say why the transfer is declined.", "reason")
    transfer.status, transfer.decided_by_id, transfer.decided_at = DECLINED, actor.user_id, utcnow()
    transfer.decline_reason = reason[:500]
    db.flush()
    record(
        db,
        "case.transfer_declined",
        actor=actor,
        object_type="case",
        object_id=transfer.case_id,
        case_id=transfer.case_id,
        details={"transfer_id": str(transfer.id)},
    )
