"""Coarse values kept for statistics: months, quarters, age bands and lists of codes.

Nothing finer than a month is kept of a date; these are shared by the skeleton's parts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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


#: Below this age a person is a child (UN Convention on the Rights of the Child, Art. 1).
ADULT_AGE = 18


def child_on(
    date_of_birth: date | None, estimated_birth_year: int | None, day: date
) -> bool | None:
    """Whether someone born then is a child on ``day``: from the date of birth, else the
    estimated birth year; None when the age is not known (or an estimate of exactly 18 years
    could be either). Consent and households ask it of a person; keep one rule."""
    if date_of_birth is not None:
        birthday_to_come = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
        return day.year - date_of_birth.year - birthday_to_come < ADULT_AGE
    if estimated_birth_year is None or day.year - estimated_birth_year == ADULT_AGE:
        return None
    return day.year - estimated_birth_year < ADULT_AGE


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return next((band for low, high, band in AGE_BANDS if low <= age <= high), None)


def month(value: date | datetime | None) -> str | None:
    """``YYYY-MM`` of a date or time; nothing finer is ever kept."""
    return None if value is None else f"{value.year:04d}-{value.month:02d}"


def quarter(value: date) -> str:
    return f"{value.year:04d}-Q{(value.month - 1) // 3 + 1}"


def codes(values: Any) -> list[str] | None:
    """A sorted list of codes, or None (only strings kept: the lists hold vocabulary codes)."""
    if not isinstance(values, list):
        return None
    return sorted({v for v in values if isinstance(v, str)})


def days_since(start: date | datetime, value: date | datetime | None) -> int | None:
    """Whole days from ``start`` (the case's registration) to ``value``, by calendar date;
    None when ``value`` is None. A step recorded as done before the registration counts 0
    days (the skeleton keeps durations, never the dates themselves)."""
    if value is None:
        return None
    first = start.date() if isinstance(start, datetime) else start
    last = value.date() if isinstance(value, datetime) else value
    return max(0, (last - first).days)


def quarters_since(start_month: str, period: str) -> int | None:
    """The quarter ``period`` (``YYYY-Qn``) counted from the quarter of ``start_month``
    (``YYYY-MM``): 1 is that quarter itself, 2 the next...; None before it or when either is
    not a month or a quarter."""
    try:
        year, month_ = int(start_month[:4]), int(start_month[5:7])
        p_year, p_quarter = int(period[:4]), int(period[6:])
    except (TypeError, ValueError):
        return None
    if period[4:6] != "-Q" or start_month[4:5] != "-":
        return None
    count = (p_year * 4 + p_quarter - 1) - (year * 4 + (month_ - 1) // 3) + 1
    return count if count >= 1 else None
