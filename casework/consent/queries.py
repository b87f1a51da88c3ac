"""Consent reads shared with the rest of casework."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.consent.models import LegalBasisRecord
from casework.consent.vocabulary import LegalBasis
from casework.models import Case
from casework.statistics import month


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Consent's field of the case's statistical skeleton: the month consent was first given."""
    consent = session.scalar(
        select(LegalBasisRecord.recorded_at)
        .where(LegalBasisRecord.case_id == case.id, LegalBasisRecord.basis == LegalBasis.CONSENT)
        .order_by(LegalBasisRecord.recorded_at)
        .limit(1)
    )
    return {"consent_month": month(consent)}
