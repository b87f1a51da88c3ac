"""Timeliness: how long the steps of a case took (:mod:`reports.indicators`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.skeleton.models import CaseSkeleton
from casework.vocabulary import CaseType
from reports.indicators.common import Context, _case_type, _share, _stat_table
from reports.indicators.tally import GRANTED, histogram_of
from reports.queries import median
from reports.tables import Figure, Section

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
    people = {t: v[0] for t, v in ctx.by_case_type.items() if v[0]}
    periods = {t: v[1] for t, v in ctx.by_case_type.items() if v[0]}
    # each person's total days, of the people granted a period (NULL days left out)
    days = histogram_of(ctx.tally["reflection_days"], GRANTED)
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
