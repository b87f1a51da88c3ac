"""The counts of the skeletons registered in the period that several figures share, read in
two scans where the database can (:func:`reports.queries.grouped`; :mod:`reports.indicators`).

Each set of keys below was a ``GROUP BY`` of its own; on PostgreSQL they are two ``GROUPING
SETS`` queries (:data:`PARTS`: about twice as fast at 100,000 people as a scan a set, and
two so that a page reading side by side, :mod:`reports.indicators.prefetch`, waits for half
of them at most), elsewhere still one query a set. The same aggregates are counted for every
set: how many people, and of them granted a reflection period, the periods granted, reopened
at least once, transferred at least once. A figure reads only the sets and aggregates it
needs; rows whose counted value is NULL (no days recorded, not in follow-up) are left out as
its own ``WHERE`` left them out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func
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
#: name -> the keys of one set.
SETS: dict[str, tuple[Any, ...]] = {
    "profile": PROFILE,
    "province": (CaseSkeleton.province,),
    "trend": (CaseSkeleton.registered_month, CaseSkeleton.case_type),
    **{column.key: (CaseSkeleton.case_type, column) for column in DAYS},
    "reflection_days": (CaseSkeleton.case_type, CaseSkeleton.reflection_days),
    "visits": VISITS,
}
#: The sets read in one scan each: the people's profile and where and when they were
#: registered and followed up, and the durations (each scan's hash tables cost about the same).
PARTS: tuple[tuple[str, ...], ...] = (
    ("profile", "province", "trend", "visits"),
    (*(column.key for column in DAYS), "reflection_days"),
)
#: A set not read but added up from another that groups by more (its NULLs included): one
#: hash table fewer for every row of the scan. name -> (the set it comes from, its keys'
#: positions there).
DERIVED = {"case_type": ("reflection_days", (0,))}
#: The aggregates' positions.
PEOPLE, GRANTED, PERIODS, REOPENED, TRANSFERRED = range(5)
#: The aggregates a set's figures read, where not only how many people (where each set is a
#: query of its own, only these are counted).
NEEDS = {
    # (GRANTED for the reflection days; all of them for the case type added up from it)
    "reflection_days": (PEOPLE, GRANTED, PERIODS, REOPENED, TRANSFERRED),
}


def _aggregates() -> list[Any]:
    granted = CaseSkeleton.reflection_periods > 0
    return [
        func.count(),
        func.sum(case((granted, 1), else_=0)),
        func.sum(case((granted, CaseSkeleton.reflection_periods), else_=0)),
        func.sum(case((CaseSkeleton.reopenings > 0, 1), else_=0)),
        func.sum(case((CaseSkeleton.transfers > 0, 1), else_=0)),
    ]


def registered_tally(
    db: Session, conditions: list[ColumnElement[bool]], names: tuple[str, ...]
) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """``{set name: {(key values): (people, granted, periods, reopened, transferred)}}`` of
    the skeletons under ``conditions``, for the sets of :data:`SETS` named (one of
    :data:`PARTS`) and the sets of :data:`DERIVED` added up from those."""
    needs = [NEEDS.get(name, (PEOPLE,)) for name in names]
    found = grouped(db, [SETS[name] for name in names], _aggregates(), conditions, needs=needs)
    tally = dict(zip(names, found, strict=True))
    for name, (source, at) in DERIVED.items():
        if source not in tally:
            continue
        summed: dict[tuple[Any, ...], tuple[int, ...]] = {}
        for key, counts in tally[source].items():
            short = tuple([key[i] for i in at])
            before = summed.get(short)
            summed[short] = (
                counts
                if before is None
                else tuple(a + b for a, b in zip(before, counts, strict=True))
            )
        tally[name] = summed
    return tally


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
