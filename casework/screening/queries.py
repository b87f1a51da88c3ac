"""Screening reads shared with the rest of casework."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.screening.models import Screening
from casework.statistics import codes, month


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Screening's fields of the case's statistical skeleton: latest outcome, codes, month."""
    screenings = list(
        session.scalars(
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
        "exploitation_types": codes(latest.exploitation_types),
        "means_of_control": codes(latest.means_of_control),
        "screened_month": month(min(s.screened_on for s in screenings)),
    }
