"""The figures of the referral mechanism (issue 16), each indicator defined once.

Every indicator is a function of a :class:`Context` returning one :class:`Figure`; its
docstring says exactly what it counts, and the figure's ``definition`` says the same in the
reader's language. Figures come only from the statistical skeleton
(:mod:`casework.skeleton.models`: ``case_skeleton`` and its detail rows), never from the
cases or decrypted data, so erasing a person changes no figure. Every figure is computed with
SQL aggregates (``GROUP BY`` on indexed columns, :mod:`reports.queries`); no skeleton is loaded
into Python. Medians are taken from ``(value, how many)`` histograms that SQL returns.

**Which cases.** :func:`reports.queries.skeleton_conditions` applies the same filters to every
table (organisation of the case, case type, sex, age band, nationality). The period selects
by the case's *registration month* unless an indicator says otherwise: referrals by the month
they were sent, closures by the month of closure, erasures by the month of erasure.

**Unknown values** become an "Unknown" row, never dropped. Rows of coded values list every
code of the vocabulary (zeros included, so tables keep their shape), then codes the vocabulary
does not know, then "Unknown".

**Protection.** Every count table leaves this module through
:func:`reports.suppression.protect` (``settings.small_cell_threshold``). A
:class:`~reports.tables.StatTable`'s ``n`` column is protected like a count column (through
``protect`` when its last row is the total of the others, so the total cannot give a row
back); a row whose ``n`` is suppressed has every statistic withheld.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from casework.screening.vocabulary import ExploitationType, MeansOfControl
from casework.screening.vocabulary import label as screening_label
from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonCode,
    CaseSkeletonReferral,
)
from casework.statistics import AGE_BANDS
from casework.vocabulary import CaseType, Sex
from casework.vocabulary import label as casework_label
from core.clock import utcnow
from core.i18n.names import country_name, current_locale
from core.lists import queries as lists
from core.places import queries as places
from core.settings_sections import ReportSettings
from referrals.vocabulary import ReferralState
from reports.queries import counts_by, month_of, skeleton_conditions
from reports.suppression import Cell, CountTable, ProtectedTable, protect
from reports.tables import Figure, Filters, Section, StatTable

#: The key of the composite score among a skeleton's score dimensions.
COMPOSITE = "composite"
#: Case types that count as identified victims in the headline.
IDENTIFIED_VICTIM_TYPES = (CaseType.IDENTIFIED_VICTIM.value, CaseType.RETURNEE_AND_VICTIM.value)
#: The columns of the referral tables: every state a referral can be in, in this order.
REFERRAL_STATES: tuple[ReferralState, ...] = (
    ReferralState.SENT,
    ReferralState.ACCEPTED,
    ReferralState.DECLINED,
    ReferralState.EXPIRED,
    ReferralState.COMPLETED,
    ReferralState.NOT_COMPLETED,
    ReferralState.CANCELLED,
)
#: The default interval between follow-up visits (``HOMEWARD_VISIT_INTERVAL_DAYS``).
DEFAULT_VISIT_INTERVAL_DAYS = 90


@dataclass(frozen=True)
class Context:
    """What every indicator reads: the session, the filters and the thresholds."""

    db: Session
    filters: Filters
    threshold: int
    plan_due_days: int
    visit_interval_days: int
    sustainability_threshold: float
    today: date

    def where(self, month: Any = None) -> list[ColumnElement[bool]]:
        """The filters as SQL conditions, the period applied to ``month`` (default: the
        case's registration month)."""
        return skeleton_conditions(self.filters, month)

    def mark(self) -> str:
        return f"<{self.threshold}"


# ---------------------------------------------------------------------------------------------
# Labels


def _unknown() -> str:
    return str(_l("Unknown"))


def _case_type(code: str) -> str:
    return str(casework_label(code, CaseType))


def _sex(code: str) -> str:
    return str(casework_label(code, Sex))


def _list_labels(db: Session, name: str) -> tuple[list[str], dict[str, str]]:
    """The codes of a deployment list in its order and their labels in the reader's language."""
    found = lists.terms(db, name, locale=str(current_locale()))
    return [t.code for t in found], {t.code: t.label for t in found}


def _rows(
    counts: Mapping[str | None, int],
    order: Sequence[str],
    label: Callable[[str], str],
    *,
    unknown: bool = True,
) -> tuple[list[str], list[int]]:
    """Row labels and counts: every code of ``order`` (zeros too), then codes present that
    ``order`` does not know (sorted by label), then "Unknown" (the NULL values)."""
    extra = sorted((c for c in counts if c is not None and c not in order), key=label)
    codes = [*order, *extra]
    labels = [label(c) for c in codes]
    values = [counts.get(c, 0) for c in codes]
    if unknown:
        labels.append(_unknown())
        values.append(counts.get(None, 0))
    return labels, values


def _one_key(counts: Mapping[tuple[Any, ...], int]) -> dict[Any, int]:
    return {key[0]: n for key, n in counts.items()}


# ---------------------------------------------------------------------------------------------
# Protection


def _counts(
    ctx: Context, rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]]
) -> ProtectedTable:
    return protect(CountTable.of(rows, columns, counts), ctx.threshold)


def _column(
    ctx: Context, rows: Sequence[str], column: str, values: Sequence[int]
) -> ProtectedTable:
    return _counts(ctx, rows, [column], [[v] for v in values])


def _protected_ns(ctx: Context, ns: Sequence[int], *, total_last: bool) -> list[Cell]:
    """The ``n`` column as published. With ``total_last`` the last row is the total of the
    others and the column goes through :func:`protect` (secondary suppression included);
    otherwise every ``n`` of 1..threshold-1 is marked (rows that do not add up to anything)."""
    if total_last and len(ns) > 1:
        table = protect(
            CountTable.of([str(i) for i in range(len(ns) - 1)], ["n"], [[n] for n in ns[:-1]]),
            ctx.threshold,
        )
        return [row[0] for row in table.cells] + [table.column_totals[0]]
    return [ctx.mark() if 0 < n < ctx.threshold else n for n in ns]


def _stat_table(
    ctx: Context,
    rows: Sequence[str],
    columns: Sequence[str],
    ns: Sequence[int],
    statistics: Sequence[Sequence[float | int | None]],
    *,
    total_last: bool = False,
    shares: Iterable[int] = (),
) -> StatTable:
    """A protected :class:`StatTable`: a row whose ``n`` is not published as a number (or is 0)
    has every statistic withheld."""
    shown = _protected_ns(ctx, ns, total_last=total_last)
    cells: list[tuple[Cell | float | None, ...]] = []
    for n, stats in zip(shown, statistics, strict=True):
        published = isinstance(n, int) and n > 0
        cells.append((n, *(s if published else None for s in stats)))
    return StatTable(tuple(rows), tuple(columns), tuple(cells), frozenset(shares))


def _protected_value(ctx: Context, value: int) -> Cell:
    return ctx.mark() if 0 < value < ctx.threshold else value


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------------------------------------
# Identification


def _people() -> str:
    return str(_l("People"))


def registered_by_case_type(ctx: Context) -> Figure:
    """People registered in the period (cases whose registration month is in it), by case
    type; one row per case type of the vocabulary."""
    counts = _one_key(counts_by(ctx.db, [CaseSkeleton.case_type], ctx.where()))
    rows, values = _rows(counts, [t.value for t in CaseType], _case_type, unknown=False)
    return Figure(
        "registered_by_case_type",
        str(_l("People registered by case type")),
        str(_l("Cases registered in the period (by month of registration), by case type.")),
        _column(ctx, rows, _people(), values),
    )


def registered_by_sex(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by sex; no recorded sex is
    the "Unknown" row."""
    counts = _one_key(counts_by(ctx.db, [CaseSkeleton.sex], ctx.where()))
    rows, values = _rows(counts, [s.value for s in Sex], _sex)
    return Figure(
        "registered_by_sex",
        str(_l("People registered by sex")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the person's "
                "sex; no sex recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_age_band(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by CTDC age band at
    registration, in the bands' order; no known age is the "Unknown" row."""
    counts = _one_key(counts_by(ctx.db, [CaseSkeleton.age_band], ctx.where()))
    rows, values = _rows(counts, [band for _low, _high, band in AGE_BANDS], str)
    return Figure(
        "registered_by_age_band",
        str(_l("People registered by age band")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the person's "
                "age band at registration (CTDC bands); no known age is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_children(ctx: Context) -> Figure:
    """People registered in the period (by registration month): children (under 18 at
    registration), adults, and "Unknown" when the age is not known."""
    counts = _one_key(counts_by(ctx.db, [CaseSkeleton.child], ctx.where()))
    rows = [str(_l("Children")), str(_l("Adults")), _unknown()]
    values = [counts.get(True, 0), counts.get(False, 0), counts.get(None, 0)]
    return Figure(
        "registered_children",
        str(_l("Children and adults registered")),
        str(
            _l(
                "Cases registered in the period (by month of registration): children (under "
                "18 at registration) and adults; an unknown age is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_nationality(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by nationality: one row per
    nationality present (the country's name in the reader's language, with its ISO code),
    sorted by name, then "Unknown"."""
    counts = _one_key(counts_by(ctx.db, [CaseSkeleton.nationality], ctx.where()))

    def name(code: str) -> str:
        return f"{country_name(code)} ({code})"

    rows, values = _rows(counts, [], name)
    return Figure(
        "registered_by_nationality",
        str(_l("People registered by nationality")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the person's "
                "nationality; no nationality recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def _by_code(ctx: Context, field: str) -> dict[str | None, int]:
    """People by code of a multi-valued field (a person with several codes counts under each),
    and under None the people with none."""
    per_code = _one_key(
        counts_by(
            ctx.db,
            [CaseSkeletonCode.code],
            [*ctx.where(), CaseSkeletonCode.field == field],
            detail=CaseSkeletonCode,
            count=func.count(func.distinct(CaseSkeletonCode.skeleton_id)),
        )
    )
    has_none = ~exists(
        select(CaseSkeletonCode.skeleton_id).where(
            CaseSkeletonCode.skeleton_id == CaseSkeleton.id, CaseSkeletonCode.field == field
        )
    )
    nothing = counts_by(ctx.db, [], [*ctx.where(), has_none]).get((), 0)
    return {**per_code, None: nothing}


def registered_by_exploitation_type(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by kind of exploitation
    recorded at screening: a person with several kinds counts under each (so the total counts
    mentions, not people); a person with none recorded is the "Unknown" row."""
    counts = _by_code(ctx, "exploitation_type")
    rows, values = _rows(
        counts,
        [t.value for t in ExploitationType],
        lambda c: str(screening_label(c, ExploitationType)),
    )
    return Figure(
        "registered_by_exploitation_type",
        str(_l("People registered by kind of exploitation")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by each kind of "
                "exploitation recorded at screening; a person with several kinds counts under "
                "each, so the total counts mentions; none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_means_of_control(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by means of control recorded
    at screening: a person with several counts under each (the total counts mentions); a
    person with none recorded is the "Unknown" row."""
    counts = _by_code(ctx, "means_of_control")
    rows, values = _rows(
        counts,
        [m.value for m in MeansOfControl],
        lambda c: str(screening_label(c, MeansOfControl)),
    )
    return Figure(
        "registered_by_means_of_control",
        str(_l("People registered by means of control")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by each means of "
                "control recorded at screening; a person with several counts under each, so "
                "the total counts mentions; none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_province(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by province of return or
    identification (its name from the imported places, in the reader's language), sorted by
    name; no province recorded is the "Unknown" row."""
    counts = _one_key(counts_by(ctx.db, [CaseSkeleton.province], ctx.where()))
    names = places.labels(ctx.db, [c for c in counts if c], str(current_locale()))
    rows, values = _rows(counts, [], lambda c: names.get(c, c))
    return Figure(
        "registered_by_province",
        str(_l("People registered by province")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the province "
                "of return or identification; none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def registered_by_month(ctx: Context) -> Figure:
    """Trend: people registered by month of registration (rows: every month from the period's
    start, or the first month registered, to its end, or the last month registered) and case
    type (columns). Skeletons kept before months were (a year only) are a row of their year."""
    counts = counts_by(ctx.db, [CaseSkeleton.registered_month, CaseSkeleton.case_type], ctx.where())
    present = {m for m, _t in counts if m}
    monthly = sorted(m for m in present if len(m) >= 7)
    first = month_of(ctx.filters.start) if ctx.filters.start else (monthly[0] if monthly else None)
    last = month_of(ctx.filters.end) if ctx.filters.end else (monthly[-1] if monthly else None)
    if ctx.filters.start and not ctx.filters.end and monthly:
        last = max(monthly[-1], first or monthly[-1])
    if ctx.filters.end and not ctx.filters.start and monthly:
        first = min(monthly[0], last or monthly[0])
    months = _months(first, last) if first and last else []
    months = (
        sorted({m for m in present if len(m) < 7})
        + months
        + [m for m in monthly if m not in months]
    )
    types = [t.value for t in CaseType]
    types += sorted({t for _m, t in counts if t not in types})
    table = [[counts.get((m, t), 0) for t in types] for m in months]
    rows = [*months, *([_unknown()] if None in {m for m, _t in counts} else [])]
    if len(rows) > len(months):
        table.append([counts.get((None, t), 0) for t in types])
    return Figure(
        "registered_by_month",
        str(_l("People registered by month")),
        str(_l("Cases registered in each month of the period, by case type.")),
        _counts(ctx, rows, [_case_type(t) for t in types], table),
        chart="line",
    )


def identification(ctx: Context) -> Section:
    return Section(
        "identification",
        str(_l("Identification and registration")),
        (
            registered_by_case_type(ctx),
            registered_by_sex(ctx),
            registered_by_age_band(ctx),
            registered_children(ctx),
            registered_by_nationality(ctx),
            registered_by_exploitation_type(ctx),
            registered_by_means_of_control(ctx),
            registered_by_province(ctx),
            registered_by_month(ctx),
        ),
    )


# ---------------------------------------------------------------------------------------------
# The public API


def context(
    db: Session,
    filters: Filters,
    settings: ReportSettings,
    plan_due_days: int = 30,
    today: date | None = None,
    visit_interval_days: int = DEFAULT_VISIT_INTERVAL_DAYS,
) -> Context:
    return Context(
        db=db,
        filters=filters,
        threshold=settings.small_cell_threshold,
        plan_due_days=plan_due_days,
        visit_interval_days=visit_interval_days,
        sustainability_threshold=settings.sustainability_threshold,
        today=today or utcnow().date(),
    )


def compute(
    db: Session,
    filters: Filters,
    settings: ReportSettings,
    plan_due_days: int,
    today: date | None = None,
    *,
    visit_interval_days: int = DEFAULT_VISIT_INTERVAL_DAYS,
) -> tuple[Section, ...]:
    """Every section of figures for the filters, each table protected (in the contract's
    order: identification, timeliness, referrals, monitoring, closures)."""
    ctx = context(db, filters, settings, plan_due_days, today, visit_interval_days)
    return tuple(section(ctx) for section in SECTIONS)


def headline(
    db: Session, filters: Filters, settings: ReportSettings, today: date | None = None
) -> list[tuple[str, Cell]]:
    """The headline figures, each protected (1..threshold-1 shows as ``"<5"``):

    - people registered: cases registered in the period (registration month);
    - identified victims: of those, cases of type identified victim or returnee and victim;
    - children: of those, children at registration;
    - referrals sent: referrals of the filtered cases sent in the period (sent month);
    - referrals completed: of those, the ones completed;
    - cases closed: filtered cases closed in the period (month of closure).
    """
    ctx = context(db, filters, settings, today=today)
    registered = counts_by(
        db,
        [],
        ctx.where(),
        count=func.count(),
    ).get((), 0)
    victims = counts_by(
        db, [], [*ctx.where(), CaseSkeleton.case_type.in_(IDENTIFIED_VICTIM_TYPES)]
    ).get((), 0)
    children = counts_by(db, [], [*ctx.where(), CaseSkeleton.child.is_(True)]).get((), 0)
    referrals = _one_key(
        counts_by(
            db,
            [CaseSkeletonReferral.state],
            ctx.where(CaseSkeletonReferral.sent_month),
            detail=CaseSkeletonReferral,
        )
    )
    closed = counts_by(
        db, [], [*ctx.where(CaseSkeleton.closed_month), CaseSkeleton.closed_month.is_not(None)]
    ).get((), 0)
    figures = [
        (_l("People registered"), registered),
        (_l("Identified victims"), victims),
        (_l("Children"), children),
        (_l("Referrals sent"), sum(referrals.values())),
        (_l("Referrals completed"), referrals.get(ReferralState.COMPLETED.value, 0)),
        (_l("Cases closed"), closed),
    ]
    return [(str(label), _protected_value(ctx, value)) for label, value in figures]


SECTIONS: tuple[Callable[[Context], Section], ...] = (identification,)
