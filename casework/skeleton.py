"""The statistical skeleton: the one place that says what statistics keep of a case.

A skeleton row holds exactly :data:`SKELETON_FIELDS`: coded, coarse values (codes, bands,
months, quarter scores) that the figures need, with no link to the person, no free text and
nothing finer than a month. It is written when the person is erased; everything else of the
person is crypto-shredded or cleared then (:mod:`casework.erasure`).

Referrals (an upper layer) adds its part through the :data:`skeleton_collecting` signal.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from blinker import Namespace
from sqlalchemy import JSON, Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from casework.models import Case, Person
from core.crypto import SubjectErasedError
from core.db import Base, UUIDPrimaryKey

#: The declared skeleton: every column a :class:`CaseSkeleton` holds besides its row id.
SKELETON_FIELDS: tuple[str, ...] = (
    "organisation_id",
    "case_type",
    "sex",
    "age_band",
    "child",
    "nationality",
    "vulnerability_codes",
    "screening_outcome",
    "exploitation_types",
    "means_of_control",
    "registered_month",
    "screened_month",
    "consent_month",
    "plan_approved_month",
    "first_referral_month",
    "closed_month",
    "closure_reason",
    "referrals",
    "monitoring_scores",
)

#: CTDC publishes ages in bands of this kind.
AGE_BANDS = (
    (0, 8, "0-8"),
    (9, 17, "9-17"),
    (18, 20, "18-20"),
    (21, 23, "21-23"),
    (24, 26, "24-26"),
    (27, 29, "27-29"),
    (30, 38, "30-38"),
    (39, 47, "39-47"),
    (48, 200, "48+"),
)

_signals = Namespace()
#: Sent with the :class:`Case` as sender and ``session``; each receiver returns a dict of
#: skeleton fields it owns (Referrals: ``first_referral_month`` and ``referrals``).
skeleton_collecting = _signals.signal("skeleton-collecting")


class CaseSkeleton(UUIDPrimaryKey, Base):
    """What statistics keep of an erased person's case (the fields of SKELETON_FIELDS).

    Province of identification or return is not kept: the data model has no coded place
    (the case's place is encrypted free text).
    """

    __tablename__ = "case_skeleton"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    case_type: Mapped[str] = mapped_column(String(30))
    sex: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(10))
    child: Mapped[bool | None] = mapped_column(Boolean)
    nationality: Mapped[str | None] = mapped_column(String(2))
    vulnerability_codes: Mapped[list[str] | None] = mapped_column(JSON)
    screening_outcome: Mapped[str | None] = mapped_column(String(20))
    exploitation_types: Mapped[list[str] | None] = mapped_column(JSON)
    means_of_control: Mapped[list[str] | None] = mapped_column(JSON)
    #: ``YYYY-MM`` (skeletons written before months were kept hold ``YYYY``).
    registered_month: Mapped[str | None] = mapped_column(String(7))
    screened_month: Mapped[str | None] = mapped_column(String(7))
    consent_month: Mapped[str | None] = mapped_column(String(7))
    plan_approved_month: Mapped[str | None] = mapped_column(String(7))
    first_referral_month: Mapped[str | None] = mapped_column(String(7))
    closed_month: Mapped[str | None] = mapped_column(String(7))
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    #: ``[[service kind, state], …]`` of the case's referrals.
    referrals: Mapped[list[list[str]] | None] = mapped_column(JSON)
    #: ``{"YYYY-Qn": {dimension: score}}``: the last visit's scores of each quarter.
    monitoring_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return next((band for low, high, band in AGE_BANDS if low <= age <= high), None)


def month(value: date | datetime | None) -> str | None:
    """``YYYY-MM`` of a date or time; nothing finer is ever kept."""
    return None if value is None else f"{value.year:04d}-{value.month:02d}"


def _quarter(value: date) -> str:
    return f"{value.year:04d}-Q{(value.month - 1) // 3 + 1}"


def _age_at(person: Person, when_year: int) -> int | None:
    if person.date_of_birth is not None:
        return when_year - person.date_of_birth.year
    if person.estimated_birth_year is not None:
        return when_year - person.estimated_birth_year
    return None


def _codes(values: Any) -> list[str] | None:
    """A sorted list of codes, or None (only strings kept: the lists hold vocabulary codes)."""
    if not isinstance(values, list):
        return None
    return sorted({v for v in values if isinstance(v, str)})


def _person_part(person: Person, case: Case) -> dict[str, Any]:
    age = _age_at(person, case.opened_at.year)
    nationality = person.nationality
    return {
        "sex": person.sex,
        "age_band": age_band(age),
        "child": None if age is None else age < 18,
        "nationality": nationality.upper()[:2] if nationality else None,
    }


def _screening_part(db: Session, case: Case) -> dict[str, Any]:
    from casework.screening.models import Screening

    screenings = list(
        db.scalars(
            select(Screening)
            .where(Screening.case_id == case.id)
            .order_by(Screening.recorded_at, Screening.id)
        )
    )
    if not screenings:
        return {}
    latest = screenings[-1]
    return {
        "screening_outcome": latest.outcome,
        "exploitation_types": _codes(latest.exploitation_types),
        "means_of_control": _codes(latest.means_of_control),
        "screened_month": month(min(s.screened_on for s in screenings)),
    }


def _steps_part(db: Session, case: Case) -> dict[str, Any]:
    from casework.closure.models import CaseClosure
    from casework.consent.models import LegalBasisRecord
    from casework.planning.models import Plan, PlanReview

    consent = db.scalar(
        select(LegalBasisRecord.recorded_at)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.basis == "consent")
        .order_by(LegalBasisRecord.recorded_at)
        .limit(1)
    )
    approved = db.scalar(
        select(PlanReview.decided_at)
        .join(Plan, Plan.id == PlanReview.plan_id)
        .where(Plan.case_id == case.id, PlanReview.decision == "approved")
        .order_by(PlanReview.decided_at)
        .limit(1)
    )
    closure = db.execute(
        select(CaseClosure.decided_at, CaseClosure.reason)
        .where(CaseClosure.case_id == case.id, CaseClosure.status == "approved")
        .order_by(CaseClosure.decided_at.desc())
        .limit(1)
    ).first()
    return {
        "consent_month": month(consent),
        "plan_approved_month": month(approved),
        "closed_month": month(closure.decided_at) if closure else None,
        "closure_reason": closure.reason if closure else None,
    }


def _monitoring_part(db: Session, case: Case) -> dict[str, Any]:
    from casework.monitoring.models import MonitoringVisit

    visits = db.scalars(
        select(MonitoringVisit)
        .where(MonitoringVisit.case_id == case.id)
        .order_by(MonitoringVisit.visited_on, MonitoringVisit.recorded_at)
    )
    by_quarter: dict[str, Any] = {}
    for visit in visits:
        scores = visit.scores or {}
        by_quarter[_quarter(visit.visited_on)] = {
            str(k): (round(float(v), 2) if isinstance(v, int | float) else None)
            for k, v in scores.items()
        }
    return {"monitoring_scores": by_quarter or None}


def build_skeleton(db: Session, case: Case) -> CaseSkeleton:
    """The skeleton of one case, read while the person's data key still exists."""
    person = db.get(Person, case.person_id)
    if person is None or person.erased_at is not None:
        raise SubjectErasedError("the skeleton is taken before the data key is destroyed")
    values: dict[str, Any] = {
        "organisation_id": case.organisation_id,
        "case_type": case.case_type,
        "vulnerability_codes": case.vulnerability_codes,
        "registered_month": month(case.opened_at),
        **_person_part(person, case),
        **_screening_part(db, case),
        **_steps_part(db, case),
        **_monitoring_part(db, case),
    }
    for _receiver, part in skeleton_collecting.send(case, session=db):
        if isinstance(part, dict):
            values.update({k: v for k, v in part.items() if k in SKELETON_FIELDS})
    return CaseSkeleton(id=uuid.uuid4(), **values)
