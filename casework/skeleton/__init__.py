"""The statistical skeleton of a case: built from the case while the person's key exists.

What it holds is declared once, in :mod:`casework.skeleton.models` (``SKELETON_FIELDS``).
It is written when the person is erased; everything else of the person is crypto-shredded or
cleared then (:mod:`casework.erasure`).

Referrals (an upper layer) adds its part through ``casework.signals.skeleton_collecting``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.signals import skeleton_collecting
from casework.skeleton.models import SKELETON_FIELDS, CaseSkeleton
from core.crypto import SubjectErasedError

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
    from casework.closure.vocabulary import ClosureStatus
    from casework.consent.models import LegalBasisRecord
    from casework.consent.vocabulary import LegalBasis
    from casework.planning.models import Plan, PlanReview
    from casework.planning.vocabulary import Decision

    consent = db.scalar(
        select(LegalBasisRecord.recorded_at)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.basis == LegalBasis.CONSENT)
        .order_by(LegalBasisRecord.recorded_at)
        .limit(1)
    )
    approved = db.scalar(
        select(PlanReview.decided_at)
        .join(Plan, Plan.id == PlanReview.plan_id)
        .where(Plan.case_id == case.id, PlanReview.decision == Decision.APPROVED)
        .order_by(PlanReview.decided_at)
        .limit(1)
    )
    closure = db.execute(
        select(CaseClosure.decided_at, CaseClosure.reason)
        .where(CaseClosure.case_id == case.id, CaseClosure.status == ClosureStatus.APPROVED)
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
