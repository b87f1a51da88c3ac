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
from casework.statistics import days_since, month
from core.clock import utcnow
from core.memo import remembered_rows
from core.security import Actor
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import ReferralState


def get_referral(db: Session, referral_id: uuid.UUID) -> Referral | None:
    return db.get(Referral, referral_id)


def referrals_of_case(db: Session, case: Case) -> list[Referral]:
    """The case's referrals, newest first (read once a request: the referrals and feedback
    panels both ask)."""
    return remembered_rows(
        db,
        ("referrals_of_case", case.id),
        select(Referral)
        .where(Referral.case_id == case.id)
        .options(selectinload(Referral.service), selectinload(Referral.shared_fields))
        .order_by(Referral.sent_at.desc(), Referral.id),
    )


#: States that end the service (done or not).
_FINISHED = frozenset({ReferralState.COMPLETED.value, ReferralState.NOT_COMPLETED.value})


def _decline_codes(session: Session, referrals: list[Referral]) -> dict[uuid.UUID, str]:
    """The reason code of each declined referral's decline, where the transition recorded
    one (``ReferralEvent.reason_code``: a code, never the encrypted free text)."""
    declined = [r.id for r in referrals if r.state == ReferralState.DECLINED.value]
    if not declined:
        return {}
    rows = session.execute(
        select(ReferralEvent.referral_id, ReferralEvent.reason_code)
        .where(
            ReferralEvent.referral_id.in_(declined),
            ReferralEvent.to_state == ReferralState.DECLINED.value,
            ReferralEvent.reason_code.is_not(None),
        )
        .order_by(ReferralEvent.at)
    )
    return {referral_id: code for referral_id, code in rows if code}


def referral_facts(session: Session, referrals: list[Referral]) -> list[dict[str, Any]]:
    """One coded row per referral, in the order they were sent: the service's first type
    code (of its sorted codes), the provider organisation, state, decline reason code, month
    sent, whole days from sending to the answer (accepted or declined) and to the end of the
    service (completed or not completed: when it was closed), and whether it crossed a
    border."""
    declines = _decline_codes(session, referrals)
    facts = []
    ordered = sorted(referrals, key=lambda r: (r.sent_at, str(r.id)))
    for n, referral in enumerate(ordered, start=1):
        types = referral.service.type_codes if referral.service is not None else []
        # Set by the provider's acceptance or decline only (an expiry is no answer).
        answered = referral.answered_at
        finished = referral.closed_at if referral.state in _FINISHED else None
        facts.append(
            {
                "ordinal": n,
                "service_type": types[0] if types else None,
                "provider_id": referral.provider_organisation_id,
                "state": referral.state,
                "decline_reason": declines.get(referral.id),
                "sent_month": month(referral.sent_at),
                "days_to_answer": days_since(referral.sent_at, answered),
                "days_to_complete": days_since(referral.sent_at, finished),
                "transnational": bool(referral.transnational),
            }
        )
    return facts


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Referrals' fields of the case's statistical skeleton: service kinds, states, month
    and days from registration to the first referral sent; ``referral_facts`` rows."""
    referrals = referrals_of_case(session, case)
    if not referrals:
        return {}
    first_sent = min(r.sent_at for r in referrals)
    return {
        "first_referral_month": month(first_sent),
        "days_to_first_referral": days_since(case.opened_at, first_sent),
        "referrals": sorted(
            [",".join(r.service.type_codes), r.state] for r in referrals if r.service is not None
        ),
        "referral_facts": referral_facts(session, referrals),
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
