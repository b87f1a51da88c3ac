"""Reading the statistical skeletons a report covers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables
from sqlalchemy.sql.visitors import replacement_traverse

from casework.skeleton.changes import LAST_CHANGE
from casework.skeleton.models import CaseSkeleton
from casework.statistics import month
from reports.tables import Filters


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


def month_of(day: date) -> str:
    """``YYYY-MM`` of a day (the only precision figures use), as the skeleton keeps months."""
    return str(month(day))  # never None for a day


def in_period(column: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """SQL conditions: the ``YYYY-MM`` month in ``column`` falls in the months from ``start`` to
    ``end`` (inclusive); a legacy ``YYYY`` value is compared by its year (as :func:`_within`).
    A NULL month falls in no period (and in every one when there is no period).

    One range on the column, so an index on it serves: ``'YYYY' < 'YYYY-MM'`` as strings, so
    the range from the start's year to the end's month holds exactly the months of the period
    and the years from the start's to the end's, plus the start year's months before the
    start month, which the second condition takes out (written so that a month of the
    period is settled by its first comparison; none when the period starts in January, as a
    year's figures do: no month of the year comes before it). Every comparison is paid on
    every row the range reads (a text comparison in the database's collation)."""
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= f"{start.year:04d}")
        if start.month != 1:
            conditions.append(or_(column >= month_of(start), column < f"{start.year:04d}-"))
    if end is not None:
        conditions.append(column <= month_of(end))
    return conditions


def skeleton_conditions(filters: Filters, month: Any = None) -> list[ColumnElement[bool]]:
    """SQL conditions on :class:`CaseSkeleton` for the cases a figure counts: the filters'
    organisations, case type, sex, age band and nationality, and the filters' period applied
    to ``month`` (a month column of the skeleton or of a detail table joined to it; by
    default the case's registration month). Every indicator builds its WHERE from this, so
    filters apply the same way to every table."""
    column = CaseSkeleton.registered_month if month is None else month
    conditions = in_period(column, filters.start, filters.end)
    if filters.organisation_ids is not None:
        conditions.append(CaseSkeleton.organisation_id.in_(sorted(filters.organisation_ids)))
    for value, attribute in (
        (filters.case_type, CaseSkeleton.case_type),
        (filters.sex, CaseSkeleton.sex),
        (filters.age_band, CaseSkeleton.age_band),
        (filters.nationality, CaseSkeleton.nationality),
    ):
        if value:
            conditions.append(attribute == value)
    return conditions


def on_skeleton(conditions: Sequence[ColumnElement[bool]]) -> bool:
    """Whether any of ``conditions`` reads a column of :class:`CaseSkeleton` (so a query of a
    detail table needs the join to its skeleton; every detail row has one, by foreign key)."""
    table = CaseSkeleton.__table__
    return any(table in find_tables(c, check_columns=True) for c in conditions)


def on_copies(detail: Any, conditions: Sequence[ColumnElement[bool]]) -> list[Any]:
    """``conditions`` with the skeleton's registration month and organisation read from the
    ``detail`` table's copies of them (:class:`~casework.skeleton.models.SkeletonCopies`, kept
    equal by the database), so that a period's (and an organisation's) figures need no join."""
    table = CaseSkeleton.__table__
    copies = {
        table.c.registered_month: detail.__table__.c.registered_month,
        table.c.organisation_id: detail.__table__.c.organisation_id,
    }

    def replace(element: Any, **_kw: Any) -> Any:
        return copies.get(element)

    return [replacement_traverse(c, {}, replace) for c in conditions]


def from_detail(stmt: Any, detail: Any, conditions: Sequence[ColumnElement[bool]]) -> Any:
    """``stmt`` reading the ``detail`` table under ``conditions``, joined to the skeletons only
    when a condition needs them: by period and organisation the detail rows' own copies serve
    (:func:`on_copies`); a filter by case type, sex, age band or nationality joins."""
    conditions = on_copies(detail, conditions)
    stmt = stmt.select_from(detail)
    if on_skeleton(conditions):
        stmt = stmt.join(CaseSkeleton, CaseSkeleton.id == detail.skeleton_id)
    return stmt.where(*conditions)


def counts_by(
    db: Session,
    keys: Sequence[Any],
    conditions: Sequence[ColumnElement[bool]],
    *,
    detail: Any = None,
    count: Any = None,
) -> dict[tuple[Any, ...], int]:
    """``{(key values): count}`` of one ``GROUP BY``: skeletons (or rows of the ``detail``
    table, joined to their skeleton when a condition reads it) under ``conditions``; ``count``
    is the counted expression (default ``count(*)``)."""
    counted = func.count() if count is None else count
    stmt = select(*keys, counted)
    if detail is not None:
        stmt = from_detail(stmt, detail, conditions)
    else:
        stmt = stmt.select_from(CaseSkeleton).where(*conditions)
    if keys:
        stmt = stmt.group_by(*keys)
    return {tuple(row[:-1]): int(row[-1] or 0) for row in db.execute(stmt)}


def sums_by(
    db: Session,
    keys: Sequence[Any],
    sums: Sequence[Any],
    conditions: Sequence[ColumnElement[bool]],
    *,
    detail: Any = None,
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Several counts in one ``GROUP BY`` (conditional aggregation: ``sums`` are aggregate
    expressions such as ``sum(CASE WHEN ... THEN 1 ELSE 0 END)``), one scan instead of one a
    count: ``{(key values): (each sum, 0 for NULL)}``."""
    stmt = select(*keys, *sums)
    if detail is not None:
        stmt = from_detail(stmt, detail, conditions)
    else:
        stmt = stmt.select_from(CaseSkeleton).where(*conditions)
    if keys:
        stmt = stmt.group_by(*keys)
    width = len(keys)
    return {tuple(row[:width]): tuple(int(v or 0) for v in row[width:]) for row in db.execute(stmt)}


def skeletons_marker(db: Session) -> tuple[int, ...]:
    """A cheap sign that the skeletons changed, for caches of figures. On PostgreSQL the
    last value of the sequence every flush writing skeleton rows advances (one row, whatever
    the number of skeletons; :mod:`casework.skeleton.changes`); elsewhere how many skeletons,
    how many closed, how many erased (one scan of the skeleton table)."""
    if db.get_bind().dialect.name == "postgresql":
        last, called = db.execute(LAST_CHANGE).one()
        return (int(last), int(bool(called)))
    row = db.execute(
        select(
            func.count(),
            func.count(CaseSkeleton.closed_month),
            func.count(CaseSkeleton.erased_month),
        ).select_from(CaseSkeleton)
    ).one()
    return tuple(int(v or 0) for v in row)


def median(histogram: dict[int, int]) -> float | None:
    """The median of the values counted in ``histogram`` (the mean of the two middle values
    when there are an even number); None when it counts nothing."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        found.extend(value for position in wanted if seen <= position < seen + count)
        seen += count
    return sum(found) / len(found)


def grouped(
    db: Session,
    sets: Sequence[Sequence[Any]],
    aggregates: Sequence[Any],
    conditions: Sequence[ColumnElement[bool]],
    *,
    detail: Any = None,
) -> list[dict[tuple[Any, ...], tuple[int, ...]]]:
    """:func:`sums_by` of the skeletons (or rows of ``detail``) under ``conditions`` for each
    set of keys in ``sets`` (the same ``aggregates`` for every set): on PostgreSQL one scan
    (``GROUP BY GROUPING SETS``, each row told to its set by ``GROUPING()``), elsewhere one
    ``GROUP BY`` a set. Every aggregate costs every set's hash table a step a row: count
    only what each set needs (:mod:`reports.indicators.tally` counts rows alone)."""
    if db.get_bind().dialect.name != "postgresql":
        return [sums_by(db, list(keys), aggregates, conditions, detail=detail) for keys in sets]
    columns: list[Any] = []
    for keys in sets:
        columns += [k for k in keys if k.key not in {c.key for c in columns}]
    names = [c.key for c in columns]
    # GROUPING(a, b, ...): a bit a column, the first the highest, set when the row's set
    # does not group by it.
    masks = {
        sum(
            1 << (len(names) - 1 - i) for i, n in enumerate(names) if n not in {k.key for k in keys}
        ): s
        for s, keys in enumerate(sets)
    }
    stmt = select(func.grouping(*columns), *columns, *aggregates)
    if detail is not None:
        stmt = from_detail(stmt, detail, conditions)
    else:
        stmt = stmt.select_from(CaseSkeleton).where(*conditions)
    stmt = stmt.group_by(func.grouping_sets(*(tuple_(*keys) for keys in sets)))
    found: list[dict[tuple[Any, ...], tuple[int, ...]]] = [{} for _ in sets]
    width = len(columns)
    # Each set's key columns by their position in a row (after the GROUPING() bits).
    at = [tuple(1 + names.index(k.key) for k in keys) for keys in sets]
    for row in db.execute(stmt):
        s = masks[row[0]]
        found[s][tuple([row[i] for i in at[s]])] = tuple(
            [int(v) if v else 0 for v in row[1 + width :]]
        )
    return found
