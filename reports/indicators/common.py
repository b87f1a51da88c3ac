"""The shared part of the indicators: the :class:`Context` every indicator reads, row labels
and the protection of tables (:mod:`reports.indicators`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import Session

from casework.skeleton.models import CaseSkeleton, CaseSkeletonCode, CaseSkeletonReferral
from casework.vocabulary import CaseType, Sex
from casework.vocabulary import label as casework_label
from core.clock import utcnow
from core.i18n.names import current_locale
from core.lists import queries as lists
from core.settings_sections import ReportSettings
from referrals.vocabulary import ReferralState
from reports.indicators.tally import (
    GRANTED,
    PARTS,
    PEOPLE,
    PROFILE,
    histogram_of,
    registered_tally,
)
from reports.queries import counts_by, grouped, skeleton_conditions, sums_by
from reports.suppression import Cell, CountTable, ProtectedTable, protect
from reports.tables import Filters, StatTable

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
#: HOMEWARD_PLAN_DUE_DAYS's default (core.config), for callers that do not pass it.
DEFAULT_PLAN_DUE_DAYS = 30


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
#: The sets of :attr:`Context.referral_tally`: :data:`REFERRAL_KEYS`, then the days to the
#: answer and to completion by service type.
REFERRAL_SETS = (
    REFERRAL_KEYS,
    (CaseSkeletonReferral.service_type, CaseSkeletonReferral.days_to_answer),
    (CaseSkeletonReferral.service_type, CaseSkeletonReferral.days_to_complete),
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
    def tally(self) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
        """The counts of the people registered in the period that several figures share
        (:mod:`reports.indicators.tally`: two scans on PostgreSQL), by set of keys."""
        return {**self.tally_profile, **self.tally_durations}

    @cached_property
    def tally_profile(self) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
        """The first part of :attr:`tally` (:data:`tally.PARTS`), read by itself."""
        return registered_tally(self.db, self.where(), PARTS[0])

    @cached_property
    def tally_durations(self) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
        """The second part of :attr:`tally` (:data:`tally.PARTS`), read by itself."""
        return registered_tally(self.db, self.where(), PARTS[1])

    def tallied(self, name: str, at: int = PEOPLE) -> dict[tuple[Any, ...], int]:
        """One set of :attr:`tally`, one of its aggregates (default: how many people)."""
        return {key: counts[at] for key, counts in self.tally[name].items()}

    @cached_property
    def profile(self) -> dict[tuple[Any, ...], int]:
        """People registered in the period by (case type, sex, age band, child, nationality):
        one set of :attr:`tally` that the identification breakdowns and the headline add up,
        instead of a query each."""
        return self.tallied("profile")

    @cached_property
    def registered(self) -> int:
        """People registered in the period (every row of :attr:`profile`)."""
        return sum(self.profile.values())

    @cached_property
    def code_counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """By (field, code) of the multi-valued fields the figures count, in one ``GROUP BY``:
        the people with the code ((skeleton, field, code) is the key: one row a person) and,
        of them, those whose first code of the field it is (each person with a code of the
        field is counted once so, :attr:`CaseSkeletonCode.first_code`)."""
        first = func.sum(case((CaseSkeletonCode.first_code.is_(True), 1), else_=0))
        found = sums_by(
            self.db,
            [CaseSkeletonCode.field, CaseSkeletonCode.code],
            [func.count(), first],
            [*self.where(), CaseSkeletonCode.field.in_(COUNTED_CODE_FIELDS)],
            detail=CaseSkeletonCode,
        )
        return {(f, c): (n, firsts) for (f, c), (n, firsts) in found.items()}

    @cached_property
    def codes(self) -> dict[tuple[str, str], int]:
        """People by (field, code) of the multi-valued fields the figures count."""
        return {key: n for key, (n, _first) in self.code_counts.items()}

    @cached_property
    def coded_people(self) -> dict[str, int]:
        """People with at least one code, by field (those without are the "Unknown" row):
        the rows marked as their person's first code of the field."""
        found: dict[str, int] = {}
        for (field, _code), (_n, first) in self.code_counts.items():
            found[field] = found.get(field, 0) + first
        return {field: n for field, n in found.items() if n}

    def days(self, column: Any) -> dict[Any, dict[int, int]]:
        """``{case type: {days: people}}`` of a days column of :data:`tally.DAYS` (NULL left
        out), from :attr:`tally`."""
        return histogram_of(self.tally[column.key])

    @cached_property
    def by_case_type(self) -> dict[str, tuple[int, ...]]:
        """By case type (from :attr:`tally`): people granted a reflection period, the periods
        they were granted, people reopened at least once, people transferred at least once
        (case types with none of a count are left out of that count's figure)."""
        return {key[0]: counts[GRANTED:] for key, counts in self.tally["case_type"].items()}

    @cached_property
    def referral_tally(self) -> list[dict[tuple[Any, ...], int]]:
        """Referrals sent in the period (by month sent) of the filtered cases, by each set of
        :data:`REFERRAL_SETS` (one ``GROUPING SETS`` scan on PostgreSQL)."""
        found = grouped(
            self.db,
            REFERRAL_SETS,
            [func.count()],
            _referrals_where(self),
            detail=CaseSkeletonReferral,
        )
        return [{key: counts[0] for key, counts in rows.items()} for rows in found]

    @cached_property
    def referral_counts(self) -> dict[tuple[Any, ...], int]:
        """Referrals sent in the period (by month sent) of the filtered cases by (service type,
        provider, state, decline reason, transnational): one set of :attr:`referral_tally`
        that the referral count tables add up, instead of a query each."""
        return self.referral_tally[0]

    def referral_days(self, column: Any) -> dict[Any, dict[int, int]]:
        """``{service type: {days: referrals}}`` of ``days_to_answer`` or ``days_to_complete``
        (NULL left out), from :attr:`referral_tally`."""
        at = [keys[-1].key for keys in REFERRAL_SETS].index(column.key)
        found: dict[Any, dict[int, int]] = {}
        for (kind, days), n in self.referral_tally[at].items():
            if days is not None:
                found.setdefault(kind, {})[int(days)] = n
        return found

    def referrals_by(self, *columns: Any) -> dict[tuple[Any, ...], int]:
        """:attr:`referral_counts` added up by some of :data:`REFERRAL_KEYS` (each choice of
        columns added up once a context)."""
        at = tuple(REFERRAL_KEYS.index(c) for c in columns)
        kept: dict[tuple[int, ...], dict[tuple[Any, ...], int]]
        kept = self.__dict__.setdefault("_referrals_by", {})
        if at not in kept:
            found: dict[tuple[Any, ...], int] = {}
            for key, n in self.referral_counts.items():
                short = tuple([key[i] for i in at])
                found[short] = found.get(short, 0) + n
            kept[at] = found
        return dict(kept[at])

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


def remembered(ctx: Context, name: str, read: Callable[[Context], Any]) -> Any:
    """``read(ctx)``, kept in the context under ``name`` (the first call reads; a value
    :mod:`~reports.indicators.prefetch` read ahead is used as it is)."""
    if name not in ctx.__dict__:
        ctx.__dict__[name] = read(ctx)
    return ctx.__dict__[name]


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


def _referrals_where(ctx: Context) -> list[ColumnElement[bool]]:
    """Referrals of the filtered cases sent in the period (by the month they were sent)."""
    return ctx.where(CaseSkeletonReferral.sent_month)


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
