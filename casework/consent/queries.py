"""Consent reads shared with the rest of casework."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.consent.models import LegalBasisRecord
from casework.consent.vocabulary import LegalBasis
from casework.models import Case
from casework.statistics import child_on, month
from casework.vocabulary import Vulnerability


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Consent's field of the case's statistical skeleton: the month consent was first given."""
    consent = session.scalar(
        select(LegalBasisRecord.recorded_at)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.basis == LegalBasis.CONSENT)
        .order_by(LegalBasisRecord.recorded_at)
        .limit(1)
    )
    return {"consent_month": month(consent)}


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
