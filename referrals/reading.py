"""Reading referrals: one, a case's, a provider's inbox with counts, and the audit records of
who looked (a provider's view of the shared fields is a disclosure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from audit import record
from casework.consent.models import LegalBasisRecord
from casework.models import Case
from casework.statistics import month
from core.clock import utcnow
from core.security import Actor
from referrals.models import Referral
from referrals.vocabulary import ReferralState


def get_referral(db: Session, referral_id: uuid.UUID) -> Referral | None:
    return db.get(Referral, referral_id)


def referrals_of_case(db: Session, case: Case) -> list[Referral]:
    return list(
        db.scalars(
            select(Referral)
            .where(Referral.case_id == case.id)
            .options(selectinload(Referral.service), selectinload(Referral.shared_fields))
            .order_by(Referral.sent_at.desc(), Referral.id)
        )
    )


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Referrals' fields of the case's statistical skeleton: service kinds, states, month."""
    referrals = referrals_of_case(session, case)
    if not referrals:
        return {}
    return {
        "first_referral_month": month(min(r.sent_at for r in referrals)),
        "referrals": sorted(
            [",".join(r.service.type_codes), r.state] for r in referrals if r.service is not None
        ),
    }


@dataclass(frozen=True)
class InboxFilters:
    state: str | None = None
    urgency: str | None = None
    overdue: bool = False


def inbox(db: Session, organisation_id: uuid.UUID, filters: InboxFilters) -> list[Referral]:
    """Referrals addressed to a provider organisation, newest first, narrowed by filters."""
    stmt = (
        select(Referral)
        .where(Referral.provider_organisation_id == organisation_id)
        .options(selectinload(Referral.service))
    )
    if filters.state:
        stmt = stmt.where(Referral.state == filters.state)
    if filters.urgency:
        stmt = stmt.where(Referral.urgency == filters.urgency)
    if filters.overdue:
        today = utcnow().date()
        stmt = stmt.where(
            (Referral.state == ReferralState.EXPIRED.value)
            | (
                (Referral.state == ReferralState.ACCEPTED.value)
                & (Referral.expected_completion < today)
            )
        )
    return list(db.scalars(stmt.order_by(Referral.sent_at.desc(), Referral.id).limit(500)))


def counts_by_state(db: Session, organisation_id: uuid.UUID) -> dict[str, int]:
    rows = db.execute(
        select(Referral.state, func.count())
        .where(Referral.provider_organisation_id == organisation_id)
        .group_by(Referral.state)
    )
    found = {state: int(n) for state, n in rows}
    return {s.value: found.get(s.value, 0) for s in ReferralState}


def is_late(referral: Referral, today: date | None = None) -> bool:
    """Overdue marker: answer missed (expired) or an accepted referral past its expected date."""
    today = today or utcnow().date()
    if referral.state == ReferralState.EXPIRED.value:
        return True
    return (
        referral.state == ReferralState.ACCEPTED.value
        and referral.expected_completion is not None
        and referral.expected_completion < today
    )


def record_inbox_view(db: Session, actor: Actor, count: int) -> None:
    record(
        db, "referral.inbox_viewed", actor=actor, object_type="referral", details={"count": count}
    )


def record_view(db: Session, actor: Actor, referral: Referral) -> None:
    """The referrer's side opened the referral (the case's own data, no disclosure)."""
    record(
        db,
        "referral.viewed",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=referral.case_id,
    )


def record_disclosure(db: Session, actor: Actor, referral: Referral, codes: list[str]) -> None:
    """The provider saw the shared fields: a disclosure, with the field codes shown."""
    record(
        db,
        "referral.disclosed",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=referral.case_id,
        details={"fields": sorted(codes), "state": referral.state},
    )


def relying_on(db: Session, basis: LegalBasisRecord) -> list[Referral]:
    """The referrals that rely on this legal basis, newest first."""
    return list(
        db.scalars(
            select(Referral)
            .where(Referral.legal_basis_id == basis.id)
            .order_by(Referral.sent_at.desc())
        )
    )
