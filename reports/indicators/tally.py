"""The counts of the skeletons registered in the period that several figures share, read in
two scans where the database can (:func:`reports.queries.grouped`; :mod:`reports.indicators`).

Each set of keys below was a ``GROUP BY`` of its own; on PostgreSQL they are two ``GROUPING
SETS`` queries (:data:`PARTS`: about twice as fast at 100,000 people as a scan a set, and
two so that a page reading side by side, :mod:`reports.indicators.prefetch`, waits for half
of them at most), elsewhere still one query a set. Every set counts how many people and
nothing else: a sum costs every set's hash table a step a row (measured at 100,000 people,
each scan 20-30% slower with the four sums below counted for all its sets). The reflection
periods, reopenings and transfers are keys of one set instead (:data:`FOLDED`: a few dozen
groups), added up in Python into ``(people, granted a reflection period, periods granted,
reopened at least once, transferred at least once)`` by case type and reflection days. A
figure reads only the sets it needs; rows whose counted value is NULL (no days recorded, not
in follow-up) are left out as its own ``WHERE`` left them out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import Session

from casework.skeleton.models import CaseSkeleton
from reports.queries import grouped

#: The columns of the profile (case type, sex, age band, child, nationality).
PROFILE = (
    CaseSkeleton.case_type,
    CaseSkeleton.sex,
    CaseSkeleton.age_band,
    CaseSkeleton.child,
    CaseSkeleton.nationality,
)
#: The days columns the timeliness figures take medians of, by case type.
DAYS = (
    CaseSkeleton.days_to_screening,
    CaseSkeleton.days_to_consent,
    CaseSkeleton.days_to_plan,
    CaseSkeleton.days_to_first_referral,
)
#: The follow-up visits' keys (monitoring_visits).
VISITS = (
    CaseSkeleton.case_type,
    CaseSkeleton.monitoring_started_month,
    CaseSkeleton.closed_month,
    CaseSkeleton.visits_done,
)
#: The keys of the set the reflection and case-type counts are added up from.
REFLECTION = (
    CaseSkeleton.case_type,
    CaseSkeleton.reflection_days,
    CaseSkeleton.reflection_periods,
    CaseSkeleton.reopenings,
    CaseSkeleton.transfers,
)
#: name -> the keys of one set.
SETS: dict[str, tuple[Any, ...]] = {
    "profile": PROFILE,
    "province": (CaseSkeleton.province,),
    "trend": (CaseSkeleton.registered_month, CaseSkeleton.case_type),
    **{column.key: (CaseSkeleton.case_type, column) for column in DAYS},
    "reflection": REFLECTION,
    "visits": VISITS,
}
#: The sets read in one scan each: the people's profile and where and when they were
#: registered and followed up, and the durations (each scan's hash tables cost about the same).
PARTS: tuple[tuple[str, ...], ...] = (
    ("profile", "province", "trend", "visits"),
    (*(column.key for column in DAYS), "reflection"),
)
#: Sets not read but added up from another, in this order: name -> (the set it comes from,
#: how many of its first keys are kept). "reflection_days" is (case type, reflection days)
#: and "case_type" by case type alone, each with every aggregate of :func:`_folded`.
FOLDED = {"reflection_days": ("reflection", 2), "case_type": ("reflection_days", 1)}
#: The aggregates' positions in a folded set's counts (a set read has only ``(people,)``).
PEOPLE, GRANTED, PERIODS, REOPENED, TRANSFERRED = range(5)


def registered_tally(
    db: Session, conditions: list[ColumnElement[bool]], names: tuple[str, ...]
) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """``{set name: {(key values): counts}}`` of the skeletons under ``conditions``, for the
    sets of :data:`SETS` named (one of :data:`PARTS`; counts ``(people,)``) and the sets of
    :data:`FOLDED` added up from those (``(people, granted, periods, reopened,
    transferred)``)."""
    found = grouped(db, [SETS[name] for name in names], [func.count()], conditions)
    tally = dict(zip(names, found, strict=True))
    if "reflection" in tally:
        tally["reflection"] = _folded(tally["reflection"])
    for name, (source, kept) in FOLDED.items():
        if source in tally:
            tally[name] = _summed(tally[source], kept)
    return tally


def _folded(rows: dict[tuple[Any, ...], tuple[int, ...]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The :data:`REFLECTION` set's ``(people,)`` made ``(people, granted, periods,
    reopened, transferred)``: of the people of a row, all or none were granted a
    reflection period (their periods > 0; NULL is none), reopened, transferred."""
    found: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for key, (people,) in rows.items():
        periods, reopenings, transfers = key[2:]
        granted = bool(periods and periods > 0)
        found[key] = (
            people,
            people if granted else 0,
            people * periods if granted else 0,
            people if reopenings and reopenings > 0 else 0,
            people if transfers and transfers > 0 else 0,
        )
    return found


def _summed(
    rows: dict[tuple[Any, ...], tuple[int, ...]], kept: int
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """``rows`` added up by their first ``kept`` keys."""
    summed: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for key, counts in rows.items():
        short = key[:kept]
        before = summed.get(short)
        summed[short] = (
            counts if before is None else tuple(a + b for a, b in zip(before, counts, strict=True))
        )
    return summed


def histogram_of(
    rows: dict[tuple[Any, ...], tuple[int, ...]], at: int = PEOPLE
) -> dict[Any, dict[int, int]]:
    """``{case type: {value: how many}}`` of a ``(case type, value)`` set, counting the
    aggregate ``at``: NULL values and nothing counted left out, what
    :func:`reports.queries.median` takes."""
    found: dict[Any, dict[int, int]] = {}
    for (kind, value), counts in rows.items():
        if value is not None and counts[at]:
            found.setdefault(kind, {})[int(value)] = counts[at]
    return found
