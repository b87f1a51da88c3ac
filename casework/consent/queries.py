"""Consent reads shared with the rest of casework."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.consent.models import LegalBasisRecord
from casework.consent.vocabulary import LegalBasis
from casework.models import Case
from casework.statistics import child_on, days_since, month
from casework.vocabulary import Vulnerability


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Consent's fields of the case's statistical skeleton: the month consent was first
    recorded, and the days from registration to it (the same record and time)."""
    consent = session.scalar(
        select(LegalBasisRecord.recorded_at)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.basis == LegalBasis.CONSENT)
        .order_by(LegalBasisRecord.recorded_at)
        .limit(1)
    )
    return {"consent_month": month(consent), "days_to_consent": days_since(case.opened_at, consent)}


def has_legal_basis(case: Case, session: Session, **_extra: Any) -> bool:
    """Receiver of ``casework.signals.legal_basis_asking``: a basis is in force for the case."""
    found = session.scalar(
        select(LegalBasisRecord.id)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.withdrawn_at.is_(None))
        .limit(1)
    )
    return found is not None


def is_child(case: Case, today: date) -> bool | None:
    """Whether the case's person is a child today: from the date of birth, the estimated birth
    year or a child vulnerability; None when the age is not known (or an estimate of exactly
    18 years could be either)."""
    if {Vulnerability.CHILD, Vulnerability.UNACCOMPANIED_CHILD} & set(case.vulnerability_codes):
        return True
    return child_on(case.person.date_of_birth, case.person.estimated_birth_year, today)
