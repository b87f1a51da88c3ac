"""Monitoring and reintegration: follow-up visits, sustainability scores and plan actions
(:mod:`reports.indicators`)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from casework.monitoring.vocabulary import Dimension, dimension_label
from casework.skeleton.models import CaseSkeletonAction
from reports.indicators.common import (
    COMPOSITE,
    Context,
    _case_type,
    _share,
    _stat_table,
    _unknown,
    remembered,
)
from reports.indicators.scores import score_tallies
from reports.indicators.timeliness import _case_type_groups
from reports.queries import from_detail, month_of
from reports.tables import Figure, Section

# ---------------------------------------------------------------------------------------------
# Monitoring


@lru_cache(maxsize=1024)  # a page asks for the same few dozen months thousands of times
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
    types, groups = _visit_tally(ctx)
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


def _visit_tally(ctx: Context) -> tuple[list[str], list[list[int]]]:
    """The case types of :func:`monitoring_visits` and, for each then for all of them,
    (cases, visits due, visits done, due visits done)."""
    # the cases in follow-up: those with the month it started
    counts = {k: n for k, n in ctx.tallied("visits").items() if k[1] is not None}
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
    return types, [tally[t] for t in types] + [tally[""]]


def _dimension(code: str | None) -> str:
    if code is None:
        return _unknown()
    if code == COMPOSITE:
        return str(_l("Composite"))
    return str(dimension_label(code))


def _threshold_label(ctx: Context) -> str:
    return str(_l("At or above %(score)s", score=f"{ctx.sustainability_threshold:.2f}"))


def sustainability_by_dimension(ctx: Context) -> Figure:
    """Cases registered in the period (by registration month) with a sustainability score, by
    dimension (economic, social, psychosocial, then the composite): how many people have a
    score (``n``), the mean of each person's latest score (their last scored quarter) and
    the share of those scores at or above ``HOMEWARD_SUSTAINABILITY_THRESHOLD``."""
    found = score_tallies(ctx)[1]
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
    found = score_tallies(ctx)[0]
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
    found = actions_by_dimension(ctx)
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


def actions_by_dimension(ctx: Context) -> dict[Any, tuple[int, int, int]]:
    """(people, actions due, done on time) of the plan actions due before this month, by
    dimension, for :func:`plan_actions_on_time`; read once a context."""
    return remembered(ctx, "_actions_by_dimension", _actions_by_dimension)


def _actions_by_dimension(ctx: Context) -> dict[Any, tuple[int, int, int]]:
    conditions = [
        *ctx.where(),
        CaseSkeletonAction.due_month.is_not(None),
        CaseSkeletonAction.due_month < month_of(ctx.today),
    ]
    on_time = func.sum(case((CaseSkeletonAction.done_on_time.is_(True), 1), else_=0))
    # A person has actions of a dimension due before this month exactly when their action of
    # it due first is (CaseSkeletonAction.earliest_due): the people are those rows, counted
    # in the same GROUP BY as the actions.
    people = func.sum(case((CaseSkeletonAction.earliest_due.is_(True), 1), else_=0))
    stmt = from_detail(
        select(CaseSkeletonAction.dimension, people, func.count(), on_time),
        CaseSkeletonAction,
        conditions,
    ).group_by(CaseSkeletonAction.dimension)
    return {d: (int(p or 0), int(n), int(o or 0)) for d, p, n, o in ctx.db.execute(stmt)}


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
