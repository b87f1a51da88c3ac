"""The sustainability scores the monitoring figures read, in one scan
(:mod:`reports.indicators.monitoring`).

Two tallies of the scores of the people registered in the period (a score recorded, NULL
left out): by (quarter since return, dimension), every score; and by dimension, each
person's latest score (the rows :attr:`CaseSkeletonScore.latest` marks). Each is
``(people, mean score rounded to 4 places, how many at or above the threshold)``. Both come
from one ``GROUP BY`` of the score rows by quarter, dimension and latest (a plain
``GROUP BY``, which PostgreSQL runs in parallel, where ``GROUPING SETS`` cannot be): the
means are the sums of the scores over their count, as ``avg`` takes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from casework.skeleton.models import CaseSkeletonScore
from reports.indicators.common import Context, remembered
from reports.queries import from_detail

#: A tally: key -> (people, mean score, how many at or above the threshold).
Tally = dict[Any, tuple[int, float, int]]

KEYS = (
    CaseSkeletonScore.quarter_since_return,
    CaseSkeletonScore.dimension,
    CaseSkeletonScore.latest,
)


def score_tallies(ctx: Context) -> tuple[Tally, Tally]:
    """``(by (quarter since return, dimension), latest by dimension)``, read once a context."""
    return remembered(ctx, "_score_tallies", _tallies)


def _tallies(ctx: Context) -> tuple[Tally, Tally]:
    above = func.sum(case((CaseSkeletonScore.score >= ctx.sustainability_threshold, 1), else_=0))
    stmt = from_detail(
        select(*KEYS, func.count(), func.sum(CaseSkeletonScore.score), above),
        CaseSkeletonScore,
        [*ctx.where(), CaseSkeletonScore.score.is_not(None)],
    ).group_by(*KEYS)
    quarters: dict[Any, list[Any]] = {}
    latest: dict[Any, list[Any]] = {}
    for q, d, is_latest, n, total, a in ctx.db.execute(stmt):
        parts = [(quarters, (q, d))] + ([(latest, d)] if is_latest else [])
        for tally, key in parts:
            row = tally.setdefault(key, [0, 0.0, 0])
            row[0] += int(n)
            row[1] += float(total)
            row[2] += int(a or 0)
    return _means(quarters), _means(latest)


def _means(sums: dict[Any, list[Any]]) -> Tally:
    return {key: (n, round(total / n, 4), a) for key, (n, total, a) in sums.items()}
