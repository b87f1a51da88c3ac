"""The SQL building blocks of the indicators: the period on a month column agrees with the
Python rule (legacy year-only months included), and medians from histograms."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.skeleton.models import CaseSkeleton
from reports.queries import _within, in_period, median
from tests.factories import make_organisation

MONTHS = [
    "2024",
    "2025",
    "2025-01",
    "2025-02",
    "2025-06",
    "2025-12",
    "2026",
    "2026-01",
    "2026-03",
    "2027-01",
    None,
]
PERIODS = [
    (None, None),
    (date(2025, 2, 1), date(2025, 12, 31)),
    (date(2025, 6, 15), None),
    (None, date(2025, 6, 1)),
    (date(2025, 1, 1), date(2026, 1, 31)),
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2025, 12, 1), date(2026, 1, 1)),
]


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_the_sql_period_agrees_with_the_python_rule(app, db_session, start, end):
    org = make_organisation(app, db_session)
    for month in MONTHS:
        db_session.add(
            CaseSkeleton(organisation_id=org.id, case_type="returnee", registered_month=month)
        )
    db_session.flush()
    found = db_session.scalars(
        select(CaseSkeleton.registered_month).where(
            CaseSkeleton.organisation_id == org.id,
            *in_period(CaseSkeleton.registered_month, start, end),
        )
    ).all()
    expected = [
        m
        for m in MONTHS
        if (m is not None or (start, end) == (None, None)) and _within(m, start, end)
    ]
    assert sorted(found, key=str) == sorted(expected, key=str)


def test_median_of_a_histogram():
    assert median({}) is None
    assert median({7: 1}) == 7
    assert median({1: 1, 3: 1}) == 2
    assert median({1: 2, 10: 1}) == 1
    assert median({2: 12, 4: 6, 8: 2}) == 2
    assert median({1: 1, 2: 1, 3: 1, 100: 1}) == 2.5
