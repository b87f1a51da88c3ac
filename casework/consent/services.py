"""Record, list and withdraw the legal bases of a case. Services flush only; the request commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from casework.consent.models import LegalBasisOrganisation, LegalBasisRecord, LegalBasisServiceType
from casework.consent.vocabulary import (
    SERVICE_TYPES,
    ChildAssent,
    ConsentMethod,
    GivenBy,
    LegalBasis,
)
from casework.models import Case
from casework.services import CaseworkError
from casework.signals import consent_withdrawn
from core.clock import utcnow
from core.lists import queries as lists
from core.security import Actor

EARLIEST = date(1900, 1, 1)


@dataclass
class LegalBasisDetails:
    basis: LegalBasis
    purpose: str | None = None
    justification: str | None = None
    given_by: GivenBy | None = None
    guardian_name: str | None = None
    child_assent: ChildAssent | None = None
    method: ConsentMethod | None = None
    given_on: date | None = None
    any_provider: bool = False
    organisation_ids: list[uuid.UUID] = field(default_factory=list)
    #: Codes of the list ``service_type`` (:mod:`core.lists`).
    service_types: Sequence[str] = field(default_factory=list)


def provider_organisations(db: Session) -> list[Organisation]:
    """Active provider organisations a consent may name."""
    return list(
        db.scalars(
            select(Organisation)
            .where(Organisation.is_provider.is_(True), Organisation.active.is_(True))
            .order_by(Organisation.name)
        )
    )


def organisation_names(db: Session, bases: list[LegalBasisRecord]) -> dict[str, str]:
    """Names of the organisations named in these bases' scopes, keyed by id as text."""
    ids = {o for b in bases for o in b.organisation_ids}
    if not ids:
        return {}
    return {
        str(o.id): o.name for o in db.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }


def _check(db: Session, details: LegalBasisDetails) -> None:
    if details.basis is LegalBasis.CONSENT:
        if not (details.purpose or "").strip():
            raise CaseworkError("Say what the consent is for.", "purpose")
        if details.given_by is None:
            raise CaseworkError("Say who gave the consent.", "given_by")
        if details.given_by is GivenBy.PARENT_OR_GUARDIAN and details.child_assent is None:
            raise CaseworkError("Note whether the child agrees.", "child_assent")
        if details.method is None:
            raise CaseworkError("Say how the consent was given.", "method")
        if details.given_on is None:
            raise CaseworkError("Give the date the consent was given.", "given_on")
    elif not (details.justification or "").strip():
        raise CaseworkError("Write why this basis applies.", "justification")
    if details.given_on is not None and not EARLIEST <= details.given_on <= utcnow().date():
        raise CaseworkError("The date cannot be in the future.", "given_on")
    if details.organisation_ids:
        known = {o.id for o in provider_organisations(db)}
        if not set(details.organisation_ids) <= known:
            raise CaseworkError("Choose provider organisations from the list.", "organisations")
    if not set(details.service_types) <= lists.offered(db, SERVICE_TYPES):
        raise CaseworkError("Choose kinds of service from the list.", "service_types")


def record_legal_basis(
    db: Session, actor: Actor, case: Case, details: LegalBasisDetails
) -> LegalBasisRecord:
    """Add a legal basis to the case; raises CaseworkError naming the field at fault."""
    _check(db, details)
    basis = _new_legal_basis(actor, case, details)
    db.add(basis)
    db.flush()
    record(
        db,
        "consent.recorded",
        actor=actor,
        object_type="legal_basis",
        object_id=basis.id,
        case_id=case.id,
        details={
            "basis": basis.basis,
            "fields": sorted(
                name
                for name in ("purpose", "justification", "guardian_name", "given_on")
                if getattr(basis, name)
            ),
            "organisations": [str(o) for o in basis.organisation_ids],
            "service_types": basis.service_type_codes,
            "any_provider": basis.any_provider,
        },
    )
    return basis


def _new_legal_basis(actor: Actor, case: Case, details: LegalBasisDetails) -> LegalBasisRecord:
    """The record (not added), keeping only the fields its kind of basis has."""
    is_consent = details.basis is LegalBasis.CONSENT
    child = is_consent and details.given_by is GivenBy.PARENT_OR_GUARDIAN
    basis = LegalBasisRecord(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        basis=details.basis.value,
        given_by=details.given_by.value if is_consent and details.given_by else None,
        child_assent=details.child_assent.value if child and details.child_assent else None,
        method=details.method.value if is_consent and details.method else None,
        given_on=details.given_on,
        any_provider=details.any_provider,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    basis.purpose = ((details.purpose or "").strip() or None) if is_consent else None
    basis.justification = None if is_consent else (details.justification or "").strip()
    basis.guardian_name = ((details.guardian_name or "").strip() or None) if child else None
    basis.organisations = [
        LegalBasisOrganisation(organisation_id=o) for o in dict.fromkeys(details.organisation_ids)
    ]
    basis.service_types = [
        LegalBasisServiceType(code=str(s)) for s in dict.fromkeys(details.service_types)
    ]
    return basis


def legal_bases(db: Session, case: Case) -> list[LegalBasisRecord]:
    """Every legal basis of the case, newest first (the history)."""
    return list(
        db.scalars(
            select(LegalBasisRecord)
            .where(LegalBasisRecord.case_id == case.id)
            .order_by(LegalBasisRecord.recorded_at.desc(), LegalBasisRecord.id)
        )
    )


def active_legal_bases(
    db: Session,
    case: Case,
    organisation_id: uuid.UUID | None = None,
    service_type: str | None = None,
) -> list[LegalBasisRecord]:
    """The legal bases in force for the case, narrowed to those covering a provider/service.

    With neither argument: every basis not withdrawn. With an organisation and/or service
    type: those whose scope of sharing covers it (see ``LegalBasisRecord.covers``).
    """
    rows = db.scalars(
        select(LegalBasisRecord)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.withdrawn_at.is_(None))
        .order_by(LegalBasisRecord.recorded_at.desc(), LegalBasisRecord.id)
    )
    return [r for r in rows if r.covers(organisation_id, service_type)]


def get_legal_basis(db: Session, case: Case, basis_id: uuid.UUID) -> LegalBasisRecord | None:
    """The legal basis with this id on this case, or None (never one of another case)."""
    found = db.get(LegalBasisRecord, basis_id)
    return found if found is not None and found.case_id == case.id else None


def withdraw_legal_basis(
    db: Session, actor: Actor, case: Case, basis: LegalBasisRecord, reason: str
) -> None:
    """Withdraw at once, then tell listeners (Referrals) so they act in the same transaction."""
    reason = reason.strip()
    if not reason:
        raise CaseworkError("Write why it is withdrawn.", "reason")
    if basis.case_id != case.id:
        raise CaseworkError("This legal basis is not on this case.")
    # Lock the row: a referral being sent under this basis waits for the withdrawal (or the
    # withdrawal for it), so no referral is left open on a withdrawn consent.
    db.execute(select(LegalBasisRecord.id).where(LegalBasisRecord.id == basis.id).with_for_update())
    db.refresh(basis)
    if not basis.active:
        raise CaseworkError("This legal basis was withdrawn already.")
    basis.withdrawn_at = utcnow()
    basis.withdrawn_by_id = actor.user_id
    basis.withdrawal_reason = reason
    db.flush()
    record(
        db,
        "consent.withdrawn",
        actor=actor,
        object_type="legal_basis",
        object_id=basis.id,
        case_id=case.id,
        details={"basis": basis.basis, "fields": ["withdrawal_reason"]},
    )
    consent_withdrawn.send(basis, session=db, actor=actor, case=case)


def record_history_view(db: Session, actor: Actor, case: Case) -> None:
    record(
        db,
        "consent.viewed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
