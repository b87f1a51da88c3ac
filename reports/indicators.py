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

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from auth.models import Organisation
from casework.closure.vocabulary import CLOSURE_REASONS
from casework.consent.vocabulary import SERVICE_TYPES
from casework.monitoring.vocabulary import Dimension, dimension_label
from casework.screening.vocabulary import ExploitationType, MeansOfControl
from casework.screening.vocabulary import label as screening_label
from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonReferral,
    CaseSkeletonScore,
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
from referrals.vocabulary import label as referral_label
from reports.queries import (
    counts_by,
    from_detail,
    histogram,
    median,
    month_of,
    skeleton_conditions,
    skeletons_marker,
    sums_by,
)
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
#: The longest run of months the trend lists month by month (else only months with cases).
MAX_TREND_MONTHS = 240
#: The default interval between follow-up visits (``HOMEWARD_VISIT_INTERVAL_DAYS``).
DEFAULT_VISIT_INTERVAL_DAYS = 90


#: The multi-valued fields the identification figures count (:attr:`Context.codes`).
COUNTED_CODE_FIELDS = ("exploitation_type", "means_of_control")
#: The keys of :attr:`Context.referral_counts`.
REFERRAL_KEYS = (
    CaseSkeletonReferral.service_type,
    CaseSkeletonReferral.provider_id,
    CaseSkeletonReferral.state,
    CaseSkeletonReferral.decline_reason,
    CaseSkeletonReferral.transnational,
)

#: The columns of :attr:`Context.profile`.
PROFILE = (
    CaseSkeleton.case_type,
    CaseSkeleton.sex,
    CaseSkeleton.age_band,
    CaseSkeleton.child,
    CaseSkeleton.nationality,
)


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

    @cached_property
    def profile(self) -> dict[tuple[Any, ...], int]:
        """People registered in the period by (case type, sex, age band, child, nationality):
        one ``GROUP BY`` that the identification breakdowns and the headline add up, instead
        of a query each."""
        return counts_by(self.db, list(PROFILE), self.where())

    @cached_property
    def registered(self) -> int:
        """People registered in the period (every row of :attr:`profile`)."""
        return sum(self.profile.values())

    @cached_property
    def codes(self) -> dict[tuple[str, str], int]:
        """People by (field, code) of the multi-valued fields the figures count: one
        ``GROUP BY`` for every field ((skeleton, field, code) is the key: one row a person)."""
        found = counts_by(
            self.db,
            [CaseSkeletonCode.field, CaseSkeletonCode.code],
            [*self.where(), CaseSkeletonCode.field.in_(COUNTED_CODE_FIELDS)],
            detail=CaseSkeletonCode,
        )
        return {(f, c): n for (f, c), n in found.items()}

    @cached_property
    def coded_people(self) -> dict[str, int]:
        """People with at least one code, by field (those without are the "Unknown" row)."""
        # (person, field) pairs, then counted by field: about twice as fast as
        # count(DISTINCT skeleton_id) on PostgreSQL.
        pairs = (
            from_detail(
                select(CaseSkeletonCode.skeleton_id, CaseSkeletonCode.field),
                CaseSkeletonCode,
                [*self.where(), CaseSkeletonCode.field.in_(COUNTED_CODE_FIELDS)],
            )
            .group_by(CaseSkeletonCode.skeleton_id, CaseSkeletonCode.field)
            .subquery("pairs")
        )
        stmt = select(pairs.c.field, func.count()).group_by(pairs.c.field)
        return {field: int(n) for field, n in self.db.execute(stmt)}

    def days(self, column: Any) -> dict[Any, dict[int, int]]:
        """``{case type: {days: people}}`` of a days column (NULL left out), each column read
        once however many figures use it."""
        cache: dict[Any, dict[Any, dict[int, int]]] = self.__dict__.setdefault("_days", {})
        key = column.key
        if key not in cache:
            cache[key] = histogram(self.db, CaseSkeleton.case_type, column, self.where())
        return cache[key]

    @cached_property
    def by_case_type(self) -> dict[str, tuple[int, ...]]:
        """By case type, in one scan: people granted a reflection period, the periods they were
        granted, people reopened at least once, people transferred at least once (case types
        with none of a count are left out of that count's figure)."""
        granted = CaseSkeleton.reflection_periods > 0
        found = sums_by(
            self.db,
            [CaseSkeleton.case_type],
            [
                func.sum(case((granted, 1), else_=0)),
                func.sum(case((granted, CaseSkeleton.reflection_periods), else_=0)),
                func.sum(case((CaseSkeleton.reopenings > 0, 1), else_=0)),
                func.sum(case((CaseSkeleton.transfers > 0, 1), else_=0)),
            ],
            self.where(),
        )
        return {key[0]: values for key, values in found.items()}

    @cached_property
    def referral_counts(self) -> dict[tuple[Any, ...], int]:
        """Referrals sent in the period (by month sent) of the filtered cases by (service type,
        provider, state, decline reason, transnational): one ``GROUP BY`` that the referral
        count tables add up, instead of a query each."""
        return counts_by(
            self.db,
            list(REFERRAL_KEYS),
            _referrals_where(self),
            detail=CaseSkeletonReferral,
        )

    def referrals_by(self, *columns: Any) -> dict[tuple[Any, ...], int]:
        """:attr:`referral_counts` added up by some of :data:`REFERRAL_KEYS`."""
        at = [REFERRAL_KEYS.index(c) for c in columns]
        found: dict[tuple[Any, ...], int] = {}
        for key, n in self.referral_counts.items():
            short = tuple(key[i] for i in at)
            found[short] = found.get(short, 0) + n
        return found

    @cached_property
    def closed_by_reason(self) -> dict[Any, int]:
        """Filtered cases closed in the period (by month of closure), by closure reason."""
        return _one_key(
            counts_by(
                self.db,
                [CaseSkeleton.closure_reason],
                [*self.where(CaseSkeleton.closed_month), CaseSkeleton.closed_month.is_not(None)],
            )
        )

    def registered_by(self, column: Any) -> dict[Any, int]:
        """People registered in the period by one of the :data:`PROFILE` columns."""
        at = PROFILE.index(column)
        found: dict[Any, int] = {}
        for key, n in self.profile.items():
            found[key[at]] = found.get(key[at], 0) + n
        return found


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
    counts = ctx.registered_by(CaseSkeleton.case_type)
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
    counts = ctx.registered_by(CaseSkeleton.sex)
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
    counts = ctx.registered_by(CaseSkeleton.age_band)
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
    counts = ctx.registered_by(CaseSkeleton.child)
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
    counts = ctx.registered_by(CaseSkeleton.nationality)

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
    and under None the people with none (the people registered less those with a code)."""
    per_code: dict[str | None, int] = {c: n for (f, c), n in ctx.codes.items() if f == field}
    return {**per_code, None: ctx.registered - ctx.coded_people.get(field, 0)}


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
    start, end = ctx.filters.start, ctx.filters.end
    last = month_of(end) if end else (monthly[-1] if monthly else None)
    first = month_of(start) if start else (monthly[0] if monthly else last)
    last = last or first
    span = _months(first, last) if first and last else []
    if len(span) > MAX_TREND_MONTHS:  # a period of decades: the months that have cases
        span = monthly
    months = sorted(m for m in present if len(m) < 7) + span
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
# Timeliness


def _days_column() -> str:
    return str(_l("Median days"))


def _case_type_groups(present: Iterable[Any]) -> list[str]:
    types = [t.value for t in CaseType]
    return types + sorted({t for t in present if t is not None and t not in types})


def _merged(histograms: Iterable[dict[int, int]]) -> dict[int, int]:
    """Histograms added up."""
    every: dict[int, int] = {}
    for hist in histograms:
        for value, n in hist.items():
            every[value] = every.get(value, 0) + n
    return every


def time_to_steps(ctx: Context) -> Figure:
    """Of the cases registered in the period (by registration month): for each step, how many
    have reached it (``n``: people with the step's days recorded; cases that have not reached
    it yet are not counted) and the median whole days from registration to the step: the
    first screening, the first consent, the first approved plan, the first referral sent."""
    steps = (
        (CaseSkeleton.days_to_screening, _l("Registration to screening")),
        (CaseSkeleton.days_to_consent, _l("Registration to consent")),
        (CaseSkeleton.days_to_plan, _l("Registration to approved plan")),
        (CaseSkeleton.days_to_first_referral, _l("Registration to first referral")),
    )
    ns: list[int] = []
    stats: list[tuple[float | None]] = []
    for column, _label in steps:
        found = _merged(ctx.days(column).values())
        ns.append(sum(found.values()))
        stats.append((median(found),))
    return Figure(
        "time_to_steps",
        str(_l("Days from registration to each step")),
        str(
            _l(
                "Cases registered in the period (by month of registration) that have reached "
                "each step, and the median number of whole days from registration to the step; "
                "cases that have not reached a step yet are not counted for it."
            )
        ),
        _stat_table(
            ctx,
            [str(label) for _c, label in steps],
            [str(_l("People")), _days_column()],
            ns,
            stats,
        ),
        chart="bar",
    )


def plan_within_due(ctx: Context) -> Figure:
    """Of the cases registered in the period (by registration month) with an approved plan, by
    case type then all of them (the last row): how many (``n``), the median whole days from
    registration to the first approved plan and the share approved within
    ``HOMEWARD_PLAN_DUE_DAYS`` days."""
    found = ctx.days(CaseSkeleton.days_to_plan)
    types = _case_type_groups(found)
    every: dict[int, int] = {}
    for hist in found.values():
        for days, n in hist.items():
            every[days] = every.get(days, 0) + n
    groups = [found.get(t, {}) for t in types] + [every]

    def within(hist: dict[int, int]) -> float | None:
        return _share(sum(n for d, n in hist.items() if d <= ctx.plan_due_days), sum(hist.values()))

    return Figure(
        "plan_within_due",
        str(_l("Approved plans within the target")),
        str(
            _l(
                "Cases registered in the period (by month of registration) with an approved "
                "plan: the median number of whole days from registration to the first approved "
                "plan, and the share approved within %(days)s days.",
                days=ctx.plan_due_days,
            )
        ),
        _stat_table(
            ctx,
            [*(_case_type(t) for t in types), str(_l("All cases"))],
            [
                str(_l("People")),
                _days_column(),
                str(_l("Within %(days)s days", days=ctx.plan_due_days)),
            ],
            [sum(h.values()) for h in groups],
            [(median(h), within(h)) for h in groups],
            total_last=True,
            shares={2},
        ),
    )


def reflection_periods(ctx: Context) -> Figure:
    """Of the cases registered in the period (by registration month) granted at least one
    reflection period, by case type then all of them (the last row): how many people
    (``n``), how many periods they were granted, and the median of each person's total days
    of reflection. A case with no reflection period recorded (0 or None) is not counted."""
    granted = [*ctx.where(), CaseSkeleton.reflection_periods > 0]
    people = {t: v[0] for t, v in ctx.by_case_type.items() if v[0]}
    periods = {t: v[1] for t, v in ctx.by_case_type.items() if v[0]}
    days = histogram(ctx.db, CaseSkeleton.case_type, CaseSkeleton.reflection_days, granted)
    types = _case_type_groups(people)
    every: dict[int, int] = {}
    for hist in days.values():
        for d, n in hist.items():
            every[d] = every.get(d, 0) + n
    ns = [people.get(t, 0) for t in types] + [sum(people.values())]
    stats = [(periods.get(t, 0), median(days.get(t, {}))) for t in types]
    stats.append((sum(periods.values()), median(every)))
    return Figure(
        "reflection_periods",
        str(_l("Reflection periods granted")),
        str(
            _l(
                "Cases registered in the period (by month of registration) granted at least "
                "one reflection period: the periods granted and the median of each person's "
                "total days of reflection."
            )
        ),
        _stat_table(
            ctx,
            [*(_case_type(t) for t in types), str(_l("All cases"))],
            [str(_l("People")), str(_l("Periods granted")), str(_l("Median days"))],
            ns,
            stats,
            total_last=True,
        ),
    )


def timeliness(ctx: Context) -> Section:
    return Section(
        "timeliness",
        str(_l("Timeliness")),
        (time_to_steps(ctx), plan_within_due(ctx), reflection_periods(ctx)),
    )


# ---------------------------------------------------------------------------------------------
# Referrals


def _referrals_where(ctx: Context) -> list[ColumnElement[bool]]:
    """Referrals of the filtered cases sent in the period (by the month they were sent)."""
    return ctx.where(CaseSkeletonReferral.sent_month)


def _state_columns() -> tuple[list[str], list[str]]:
    codes = [s.value for s in REFERRAL_STATES]
    return codes, [str(referral_label(s, ReferralState)) for s in codes]


def _by_state(
    ctx: Context,
    key: Any,
    order: Sequence[Any],
    labeller: Callable[[set[Any]], Callable[[Any], str]],
) -> ProtectedTable:
    """Referrals by ``key`` (rows: ``order``, then the other keys present, then "Unknown") and
    state; ``labeller`` gets the keys present and gives the row label of a key."""
    counts = ctx.referrals_by(key, CaseSkeletonReferral.state)
    label = labeller({k for k, _s in counts if k is not None})
    states, state_labels = _state_columns()
    states += sorted({s for _k, s in counts if s not in states})
    state_labels += [s for s in states[len(state_labels) :]]
    keys = list(order) + sorted(
        {k for k, _s in counts if k is not None and k not in order}, key=lambda k: label(k)
    )
    rows = [label(k) for k in keys] + [_unknown()]
    keys.append(None)
    table = [[counts.get((k, s), 0) for s in states] for k in keys]
    return _counts(ctx, rows, state_labels, table)


def referrals_by_service_type(ctx: Context) -> Figure:
    """Referrals sent in the period (by the month they were sent) for the filtered cases (the
    referring case's organisation, case type, ...), by the service's main type (rows, the
    deployment's list of kinds of service; none recorded: "Unknown") and the referral's
    current state (columns: still waiting, accepted, declined, expired, completed, not
    completed, cancelled). The row total is every referral sent. Counts referrals, not
    people."""
    order, names = _list_labels(ctx.db, SERVICE_TYPES)
    return Figure(
        "referrals_by_service_type",
        str(_l("Referrals by kind of service")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters, by "
                "the service's main kind and the referral's state now; counts referrals."
            )
        ),
        _by_state(
            ctx, CaseSkeletonReferral.service_type, order, lambda _k: lambda c: names.get(c, c)
        ),
    )


def referrals_by_provider(ctx: Context) -> Figure:
    """Referrals sent in the period (by the month they were sent) for the filtered cases, by
    provider organisation (its name; a provider no longer known: "Unknown") and current state
    (columns as :func:`referrals_by_service_type`). Counts referrals, not people."""

    def labeller(ids: set[Any]) -> Callable[[Any], str]:
        query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(sorted(ids)))
        names = {i: n for i, n in ctx.db.execute(query)}
        return lambda i: str(names.get(i) or _l("Provider no longer listed"))

    return Figure(
        "referrals_by_provider",
        str(_l("Referrals by provider")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters, by "
                "the provider they were sent to and the referral's state now; counts referrals."
            )
        ),
        _by_state(ctx, CaseSkeletonReferral.provider_id, [], labeller),
    )


def referrals_declined_by_reason(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases and declined, by
    the decline reason's code (none given: "Unknown"). Counts referrals."""
    declined = ReferralState.DECLINED.value
    counts = {
        reason: n
        for (state, reason), n in ctx.referrals_by(
            CaseSkeletonReferral.state, CaseSkeletonReferral.decline_reason
        ).items()
        if state == declined
    }
    rows, values = _rows(counts, [], str)
    return Figure(
        "referrals_declined_by_reason",
        str(_l("Declined referrals by reason")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters "
                "that the provider declined, by the reason given; none given is Unknown."
            )
        ),
        _column(ctx, rows, str(_l("Referrals")), values),
    )


def _referral_times(ctx: Context, column: Any) -> StatTable:
    order, names = _list_labels(ctx.db, SERVICE_TYPES)
    found = histogram(
        ctx.db,
        CaseSkeletonReferral.service_type,
        column,
        _referrals_where(ctx),
        detail=CaseSkeletonReferral,
    )
    keys: list[str | None] = [k for k in order if k in found]
    keys += sorted(k for k in found if k is not None and k not in order)
    if None in found:
        keys.append(None)
    every: dict[int, int] = {}
    for hist in found.values():
        for d, n in hist.items():
            every[d] = every.get(d, 0) + n
    groups = [found[k] for k in keys] + [every]
    rows = [names.get(k, k) if k is not None else _unknown() for k in keys]
    return _stat_table(
        ctx,
        [*rows, str(_l("All referrals"))],
        [str(_l("Referrals")), _days_column()],
        [sum(h.values()) for h in groups],
        [(median(h),) for h in groups],
        total_last=True,
    )


def referral_answer_times(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases that were answered
    (accepted or declined), by the service's main type then all of them (last row): how many
    (``n``) and the median whole days from sending to the answer. Referrals not answered are
    not counted."""
    return Figure(
        "referral_answer_times",
        str(_l("Days to the provider's answer")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters "
                "that were answered: the median number of whole days from sending to the answer."
            )
        ),
        _referral_times(ctx, CaseSkeletonReferral.days_to_answer),
    )


def referral_completion_times(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases that were completed,
    by the service's main type then all of them (last row): how many (``n``) and the median
    whole days from sending to completion."""
    return Figure(
        "referral_completion_times",
        str(_l("Days to completion")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters "
                "that were completed: the median number of whole days from sending to completion."
            )
        ),
        _referral_times(ctx, CaseSkeletonReferral.days_to_complete),
    )


def referrals_transnational(ctx: Context) -> Figure:
    """Referrals sent in the period (by month sent) for the filtered cases, transnational (to a
    provider in another country) or not (rows), by current state (columns). Counts
    referrals."""
    counts = ctx.referrals_by(CaseSkeletonReferral.transnational, CaseSkeletonReferral.state)
    states, labels = _state_columns()
    states += sorted({s for _t, s in counts if s not in states})
    labels += states[len(labels) :]
    table = [
        [counts.get((True, s), 0) for s in states],
        [counts.get((False, s), 0) + counts.get((None, s), 0) for s in states],
    ]
    return Figure(
        "referrals_transnational",
        str(_l("Transnational referrals")),
        str(
            _l(
                "Referrals sent in the period (by month sent) for the cases of the filters, to "
                "a provider in another country or not, by the referral's state now."
            )
        ),
        _counts(ctx, [str(_l("Transnational")), str(_l("Within the country"))], labels, table),
    )


def referrals(ctx: Context) -> Section:
    return Section(
        "referrals",
        str(_l("Referrals")),
        (
            referrals_by_service_type(ctx),
            referrals_by_provider(ctx),
            referrals_declined_by_reason(ctx),
            referral_answer_times(ctx),
            referral_completion_times(ctx),
            referrals_transnational(ctx),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Monitoring


def _first_day(month: str | None) -> date | None:
    if not month or len(month) < 7 or not month[:4].isdigit() or not month[5:7].isdigit():
        return None
    return date(int(month[:4]), int(month[5:7]), 1)


def visits_due(started: str | None, closed: str | None, today: date, interval: int) -> int:
    """Follow-up visits due for a case: whole intervals of ``interval`` days from the first
    day of the month monitoring started to the first day of the month the case was closed,
    or to ``today`` while it is open (0 when the months are not known)."""
    start = _first_day(started)
    end = _first_day(closed) or today
    if start is None or end <= start:
        return 0
    return (end - start).days // interval


def monitoring_visits(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) that entered implementation
    (follow-up visits fall due from then), by case type then all of them (last row): how many
    (``n``), the visits due (whole ``HOMEWARD_VISIT_INTERVAL_DAYS`` intervals from the month
    monitoring started to the month of closure, or to today while open), the visits done,
    and the share of due visits done (each case's visits counted up to its due ones)."""
    counts = counts_by(
        ctx.db,
        [
            CaseSkeleton.case_type,
            CaseSkeleton.monitoring_started_month,
            CaseSkeleton.closed_month,
            CaseSkeleton.visits_done,
        ],
        [*ctx.where(), CaseSkeleton.monitoring_started_month.is_not(None)],
    )
    types = _case_type_groups({k[0] for k in counts})
    tally: dict[str, list[int]] = {t: [0, 0, 0, 0] for t in [*types, ""]}
    for (kind, started, closed, done), n in counts.items():
        due = visits_due(started, closed, ctx.today, ctx.visit_interval_days)
        for key in (kind, ""):
            row = tally[key]
            row[0] += n
            row[1] += due * n
            row[2] += (done or 0) * n
            row[3] += min(done or 0, due) * n
    groups = [tally[t] for t in types] + [tally[""]]
    return Figure(
        "monitoring_visits",
        str(_l("Follow-up visits done and due")),
        str(
            _l(
                "Cases registered in the period (by month of registration) in follow-up: the "
                "visits due (one every %(days)s days from the month follow-up started to the "
                "month of closure, or today), the visits done, and the share of due visits done.",
                days=ctx.visit_interval_days,
            )
        ),
        _stat_table(
            ctx,
            [*(_case_type(t) for t in types), str(_l("All cases"))],
            [
                str(_l("Cases")),
                str(_l("Visits due")),
                str(_l("Visits done")),
                str(_l("Share of due visits done")),
            ],
            [g[0] for g in groups],
            [(g[1], g[2], _share(g[3], g[1])) for g in groups],
            total_last=True,
            shares={3},
        ),
    )


def _dimension(code: str | None) -> str:
    if code is None:
        return _unknown()
    if code == COMPOSITE:
        return str(_l("Composite"))
    return str(dimension_label(code))


def _threshold_label(ctx: Context) -> str:
    return str(_l("At or above %(score)s", score=f"{ctx.sustainability_threshold:.2f}"))


def _latest_scores(ctx: Context) -> Any:
    """``(dimension, people, mean, how many at or above the threshold)`` of each person's
    latest score (the greatest period with a score) of each dimension, in the form the
    database runs fastest; both give the same rows. PostgreSQL: a hash anti-join (no later
    scored period of the same person and dimension), in parallel. SQLite: the greatest
    period by person and dimension (one GROUP BY), then that row by its primary key (its
    anti-join is a correlated lookup per score, about twice as slow at 100,000 people)."""
    conditions = [*ctx.where(), CaseSkeletonScore.score.is_not(None)]
    if ctx.db.get_bind().dialect.name != "sqlite":
        later = aliased(CaseSkeletonScore)
        latest = ~exists(
            select(later.skeleton_id).where(
                later.skeleton_id == CaseSkeletonScore.skeleton_id,
                later.dimension == CaseSkeletonScore.dimension,
                later.period > CaseSkeletonScore.period,
                later.score.is_not(None),
            )
        )
        above = func.sum(
            case((CaseSkeletonScore.score >= ctx.sustainability_threshold, 1), else_=0)
        )
        stmt = select(
            CaseSkeletonScore.dimension, func.count(), func.avg(CaseSkeletonScore.score), above
        )
        return from_detail(stmt, CaseSkeletonScore, [*conditions, latest]).group_by(
            CaseSkeletonScore.dimension
        )
    last = (
        from_detail(
            select(
                CaseSkeletonScore.skeleton_id,
                CaseSkeletonScore.dimension,
                func.max(CaseSkeletonScore.period).label("period"),
            ),
            CaseSkeletonScore,
            conditions,
        )
        .group_by(CaseSkeletonScore.skeleton_id, CaseSkeletonScore.dimension)
        .subquery("latest")
    )
    scored = aliased(CaseSkeletonScore)
    above = func.sum(case((scored.score >= ctx.sustainability_threshold, 1), else_=0))
    return (
        select(scored.dimension, func.count(), func.avg(scored.score), above)
        .select_from(last)
        .join(
            scored,
            and_(
                scored.skeleton_id == last.c.skeleton_id,
                scored.period == last.c.period,
                scored.dimension == last.c.dimension,
            ),
        )
        .group_by(scored.dimension)
    )


def sustainability_by_dimension(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) with a sustainability score, by
    dimension (economic, social, psychosocial, then the composite): how many people have a
    score (``n``), the mean of each person's latest score (their last scored quarter) and
    the share of those scores at or above ``HOMEWARD_SUSTAINABILITY_THRESHOLD``."""
    stmt = _latest_scores(ctx)
    found = {d: (int(n), round(float(m), 4), int(a or 0)) for d, n, m, a in ctx.db.execute(stmt)}
    order = [d.value for d in Dimension]
    keys = order + sorted(d for d in found if d not in order and d != COMPOSITE) + [COMPOSITE]
    return Figure(
        "sustainability_by_dimension",
        str(_l("Sustainability scores by dimension")),
        str(
            _l(
                "Cases registered in the period (by month of registration) with a "
                "sustainability score: the mean of each person's latest score (0 to 1) in each "
                "dimension and the share of those at or above %(score)s.",
                score=f"{ctx.sustainability_threshold:.2f}",
            )
        ),
        _stat_table(
            ctx,
            [_dimension(k) for k in keys],
            [str(_l("People")), str(_l("Mean score")), _threshold_label(ctx)],
            [found.get(k, (0, 0.0, 0))[0] for k in keys],
            [
                (found[k][1], _share(found[k][2], found[k][0])) if k in found else (None, None)
                for k in keys
            ],
            shares={2},
        ),
    )


def sustainability_by_quarter(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) with scores, by quarter since
    the return (1 = the quarter of the return; rows ascending, no quarter known: "Unknown"):
    how many people have a composite score in that quarter (``n``; every scored visit has
    one), the mean composite score, the share
    of composites at or above ``HOMEWARD_SUSTAINABILITY_THRESHOLD``, and the mean score of
    each dimension (withheld when fewer than the threshold's people have it)."""
    above = func.sum(case((CaseSkeletonScore.score >= ctx.sustainability_threshold, 1), else_=0))
    stmt = select(
        CaseSkeletonScore.quarter_since_return,
        CaseSkeletonScore.dimension,
        func.count(),
        func.avg(CaseSkeletonScore.score),
        above,
    )
    stmt = from_detail(
        stmt, CaseSkeletonScore, [*ctx.where(), CaseSkeletonScore.score.is_not(None)]
    ).group_by(CaseSkeletonScore.quarter_since_return, CaseSkeletonScore.dimension)
    found = {
        (q, d): (int(n), round(float(m), 4), int(a or 0)) for q, d, n, m, a in ctx.db.execute(stmt)
    }
    # Every scored visit has a composite (the dimensions' weighted mean): its count is the
    # number of people scored in the quarter.
    people = {q: found[(q, d)][0] for q, d in found if d == COMPOSITE}
    quarters = sorted(q for q in people if q is not None) + ([None] if None in people else [])
    dimensions = [d.value for d in Dimension]

    def mean(q: Any, d: str) -> float | None:
        n, m, _a = found.get((q, d), (0, 0.0, 0))
        return m if n >= ctx.threshold else None

    def share(q: Any) -> float | None:
        n, _m, a = found.get((q, COMPOSITE), (0, 0.0, 0))
        return _share(a, n) if n >= ctx.threshold else None

    return Figure(
        "sustainability_by_quarter",
        str(_l("Sustainability scores by quarter since return")),
        str(
            _l(
                "Cases registered in the period (by month of registration) scored in each "
                "quarter since their return (1: the quarter of the return): the mean composite "
                "score (0 to 1), the share at or above %(score)s and the mean of each dimension.",
                score=f"{ctx.sustainability_threshold:.2f}",
            )
        ),
        _stat_table(
            ctx,
            [str(_l("Quarter %(n)s", n=q)) if q is not None else _unknown() for q in quarters],
            [
                str(_l("People")),
                str(_l("Composite")),
                _threshold_label(ctx),
                *(_dimension(d) for d in dimensions),
            ],
            [people[q] for q in quarters],
            [(mean(q, COMPOSITE), share(q), *(mean(q, d) for d in dimensions)) for q in quarters],
            shares={2},
        ),
        chart="line",
    )


def plan_actions_on_time(ctx: Context) -> Figure:
    """Plan actions of the cases registered in the period (by registration month) that fell
    due before the current month, by dimension (none recorded: "Unknown"): how many people
    had such actions (``n``), how many actions, and the share done by their due date."""
    conditions = [
        *ctx.where(),
        CaseSkeletonAction.due_month.is_not(None),
        CaseSkeletonAction.due_month < month_of(ctx.today),
    ]
    on_time = func.sum(case((CaseSkeletonAction.done_on_time.is_(True), 1), else_=0))
    # By (person, dimension) first, then by dimension: the people are the pairs (faster than
    # count(DISTINCT skeleton_id)).
    pairs = (
        from_detail(
            select(
                CaseSkeletonAction.dimension.label("dimension"),
                func.count().label("actions"),
                on_time.label("on_time"),
            ),
            CaseSkeletonAction,
            conditions,
        )
        .group_by(CaseSkeletonAction.skeleton_id, CaseSkeletonAction.dimension)
        .subquery("pairs")
    )
    stmt = select(
        pairs.c.dimension, func.count(), func.sum(pairs.c.actions), func.sum(pairs.c.on_time)
    ).group_by(pairs.c.dimension)
    found = {d: (int(p), int(n), int(o or 0)) for d, p, n, o in ctx.db.execute(stmt)}
    order = [d.value for d in Dimension]
    keys: list[str | None] = [*order, *sorted(d for d in found if d and d not in order), None]
    return Figure(
        "plan_actions_on_time",
        str(_l("Plan actions done on time")),
        str(
            _l(
                "Plan actions of the cases registered in the period (by month of registration) "
                "that fell due before this month, by dimension: the actions and the share done "
                "by their due date."
            )
        ),
        _stat_table(
            ctx,
            [_dimension(k) for k in keys],
            [str(_l("People")), str(_l("Actions due")), str(_l("Done on time"))],
            [found.get(k, (0, 0, 0))[0] for k in keys],
            [
                (found[k][1], _share(found[k][2], found[k][1])) if k in found else (0, None)
                for k in keys
            ],
            shares={2},
        ),
    )


def monitoring(ctx: Context) -> Section:
    return Section(
        "monitoring",
        str(_l("Monitoring and reintegration")),
        (
            monitoring_visits(ctx),
            sustainability_by_dimension(ctx),
            sustainability_by_quarter(ctx),
            plan_actions_on_time(ctx),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Closures


def closures_by_reason(ctx: Context) -> Figure:
    """Cases of the filters closed in the period (by the month of closure, whatever their
    registration month), by closure reason (the deployment's list of reasons; none recorded:
    "Unknown")."""
    order, names = _list_labels(ctx.db, CLOSURE_REASONS)
    counts = ctx.closed_by_reason
    rows, values = _rows(counts, order, lambda c: names.get(c, c))
    return Figure(
        "closures_by_reason",
        str(_l("Cases closed by reason")),
        str(
            _l(
                "Cases closed in the period (by month of closure), by the reason for closing; "
                "none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, str(_l("Cases")), values),
    )


def _by_case_type(ctx: Context, conditions: Sequence[ColumnElement[bool]]) -> ProtectedTable:
    return _case_type_column(ctx, _one_key(counts_by(ctx.db, [CaseSkeleton.case_type], conditions)))


def _case_type_column(ctx: Context, counts: Mapping[Any, int]) -> ProtectedTable:
    rows, values = _rows(counts, [t.value for t in CaseType], _case_type, unknown=False)
    return _column(ctx, rows, str(_l("Cases")), values)


def cases_reopened(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) reopened at least once, by case
    type (a case reopened twice counts once)."""
    return Figure(
        "cases_reopened",
        str(_l("Cases reopened")),
        str(
            _l(
                "Cases registered in the period (by month of registration) that were reopened "
                "at least once after closing, by case type."
            )
        ),
        _case_type_column(ctx, {t: v[2] for t, v in ctx.by_case_type.items() if v[2]}),
    )


def cases_transferred(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) transferred to another
    organisation at least once, by case type (counted under the organisation that holds them
    now)."""
    return Figure(
        "cases_transferred",
        str(_l("Cases transferred")),
        str(
            _l(
                "Cases registered in the period (by month of registration) that were "
                "transferred to another organisation at least once, by case type."
            )
        ),
        _case_type_column(ctx, {t: v[3] for t, v in ctx.by_case_type.items() if v[3]}),
    )


def people_erased(ctx: Context) -> Figure:
    """Cases of the filters whose person was erased in the period (by the month of erasure,
    whatever their registration month), by case type. Counts only: the erased people's
    other figures stay as they were."""
    return Figure(
        "people_erased",
        str(_l("Erasures")),
        str(
            _l(
                "Cases whose person's data was erased in the period (by month of erasure), by "
                "case type."
            )
        ),
        _by_case_type(
            ctx, [*ctx.where(CaseSkeleton.erased_month), CaseSkeleton.erased_month.is_not(None)]
        ),
    )


def closures(ctx: Context) -> Section:
    return Section(
        "closures",
        str(_l("Closures")),
        (closures_by_reason(ctx), cases_reopened(ctx), cases_transferred(ctx), people_erased(ctx)),
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
    return _headline(context(db, filters, settings, today=today))


def _headline(ctx: Context) -> list[tuple[str, Cell]]:
    """:func:`headline` from the counts the sections read too (no query of its own once they
    are read)."""
    victims = sum(
        ctx.registered_by(CaseSkeleton.case_type).get(t, 0) for t in IDENTIFIED_VICTIM_TYPES
    )
    children = ctx.registered_by(CaseSkeleton.child).get(True, 0)
    referrals = _one_key(ctx.referrals_by(CaseSkeletonReferral.state))
    figures = [
        (_l("People registered"), ctx.registered),
        (_l("Identified victims"), victims),
        (_l("Children"), children),
        (_l("Referrals sent"), sum(referrals.values())),
        (_l("Referrals completed"), referrals.get(ReferralState.COMPLETED.value, 0)),
        (_l("Cases closed"), sum(ctx.closed_by_reason.values())),
    ]
    return [(str(label), _protected_value(ctx, value)) for label, value in figures]


#: How long :func:`figures` keeps what it computed (seconds): a repeated page within this
#: time, while :func:`reports.queries.skeletons_marker` is unchanged, is answered from memory.
CACHE_SECONDS = 60.0
#: At most this many filter combinations are kept per database (the oldest go first).
CACHE_ENTRIES = 64
_cache: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], _Cached]] = (
    weakref.WeakKeyDictionary()
)
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class _Cached:
    marker: tuple[int, ...]
    until: float
    value: tuple[tuple[Section, ...], list[tuple[str, Cell]]]


def forget_cached() -> None:
    """Empty the cache of :func:`figures` (every database)."""
    with _cache_lock:
        _cache.clear()


def figures(
    db: Session,
    filters: Filters,
    settings: ReportSettings,
    plan_due_days: int,
    today: date | None = None,
    *,
    visit_interval_days: int = DEFAULT_VISIT_INTERVAL_DAYS,
) -> tuple[tuple[Section, ...], list[tuple[str, Cell]]]:
    """:func:`compute` and :func:`headline` for a page, from one reading of the skeletons,
    kept :data:`CACHE_SECONDS` per database, filters, settings, day and language while the
    skeletons' marker (:func:`reports.queries.skeletons_marker`: how many skeletons, closed
    and erased) is unchanged. A skeleton changed in place without changing the marker (a new
    referral, a score) shows within :data:`CACHE_SECONDS` at most; :func:`compute` itself is
    never cached. The sections are frozen dataclasses, shared safely between requests."""
    ctx = context(db, filters, settings, plan_due_days, today, visit_interval_days)
    engine = db.get_bind()
    key = (
        filters,
        settings.small_cell_threshold,
        settings.sustainability_threshold,
        plan_due_days,
        visit_interval_days,
        ctx.today,
        str(current_locale()),
    )
    marker = skeletons_marker(db)
    now = time.monotonic()
    with _cache_lock:
        kept = _cache.get(engine, OrderedDict()).get(key)
    if kept is not None and kept.marker == marker and kept.until > now:
        return kept.value
    value = (tuple(section(ctx) for section in SECTIONS), _headline(ctx))
    with _cache_lock:
        entries = _cache.setdefault(engine, OrderedDict())
        entries[key] = _Cached(marker, now + CACHE_SECONDS, value)
        entries.move_to_end(key)
        while len(entries) > CACHE_ENTRIES:
            entries.popitem(last=False)
    return value


SECTIONS: tuple[Callable[[Context], Section], ...] = (
    identification,
    timeliness,
    referrals,
    monitoring,
    closures,
)
