"""Reading the statistical skeletons a report covers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.skeleton.models import CaseSkeleton


def _within(month: str | None, start: date | None, end: date | None) -> bool:
    """Whether a ``YYYY-MM`` (or, for skeletons kept before months were, ``YYYY``) falls in the
    period; a year alone is compared by its year."""
    if start is None and end is None:
        return True
    if not month or not month[:4].isdigit():
        return False
    exact = len(month) >= 7 and month[5:7].isdigit()
    value = (int(month[:4]), int(month[5:7])) if exact else (int(month[:4]),)

    def bound(day: date) -> tuple[int, ...]:
        return (day.year, day.month) if exact else (day.year,)

    return (start is None or value >= bound(start)) and (end is None or value <= bound(end))


def skeletons_registered(
    db: Session, start: date | None = None, end: date | None = None
) -> list[CaseSkeleton]:
    """The skeletons of cases registered in the period (by month), erased people's included."""
    rows = db.scalars(select(CaseSkeleton).order_by(CaseSkeleton.id))
    return [row for row in rows if _within(row.registered_month, start, end)]
