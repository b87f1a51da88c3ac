"""Transferring a case to another case-management organisation (request -> accept/decline)."""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from casework.models import Case, CaseTransfer
from casework.services import CaseworkError
from casework.signals import case_transferred
from core.clock import utcnow
from core.exceptions import ConflictError
from core.permissions import Permission, Role
from core.security import Actor

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


class TransferConflict(ConflictError, CaseworkError):
    """Someone else answered the transfer first (accepted or declined it)."""


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
    try:
        # Two requests at once both found none waiting; one pending transfer per case wins.
        with db.begin_nested():
            db.add(transfer)
    except IntegrityError:
        raise CaseworkError("A transfer of this case is waiting for an answer already.") from None
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


def _answer(db: Session, actor: Actor, transfer: CaseTransfer, status: str) -> None:
    """One conditional UPDATE (``WHERE status = 'pending'``): of two answers at once exactly
    one is written; the other raises :class:`TransferConflict` and writes nothing."""
    table = cast(Table, CaseTransfer.__table__)
    result = db.execute(
        update(table)
        .where(table.c.id == transfer.id, table.c.status == PENDING)
        .values(status=status, decided_by_id=actor.user_id, decided_at=utcnow())
    )
    db.refresh(transfer)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TransferConflict("Someone else answered this transfer just now.")


def accept(db: Session, actor: Actor, transfer: CaseTransfer) -> Case:
    """The case moves to the actor's organisation, assigned to the actor; the sender loses it."""
    case = db.get(Case, transfer.case_id)
    assert case is not None
    if case.organisation_id != transfer.from_organisation_id:
        raise CaseworkError("The case has moved since the transfer was requested.")
    _answer(db, actor, transfer, ACCEPTED)
    now = utcnow()
    case.organisation_id = transfer.to_organisation_id
    case.assigned_to_id = actor.user_id
    case.updated_at = now
    db.flush()
    # Requests the old organisation alone could decide would otherwise block the case for good.
    case_transferred.send(case, session=db, actor=actor)
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
    _answer(db, actor, transfer, DECLINED)
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
