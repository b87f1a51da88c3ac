"""The fast paths of the indicators (SQLite and PostgreSQL): detail tables read without the
join to their skeletons when no filter needs it, and :func:`reports.indicators.figures` (what a
dashboard asks for: sections and headline from one reading, kept a short while) publishing
exactly what :func:`compute` and :func:`headline` publish."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from casework.skeleton.models import CaseSkeletonReferral, CaseSkeletonScore
from reports import indicators
from reports.indicators import cache, compute, figures, forget_cached, headline
from reports.queries import skeletons_marker
from reports.tables import Filters
from tests.reports import test_indicators as base
from tests.reports.indicator_fixtures import skeleton
from tests.reports.test_indicators import MARCH_APRIL, MARCH_AUGUST, SETTINGS, TODAY

#: The hand-computed population of the indicator tests (a fixture).
population = base.population


@pytest.fixture(autouse=True)
def _empty_cache():
    forget_cached()
    yield
    forget_cached()


def test_every_organisation_all_time_counts_what_naming_them_all_counts(db_session, population):
    """No filter: the detail tables are read without the join; naming every organisation
    joins them. Both count every skeleton, so every figure is the same."""
    everyone = frozenset({population.a.id, population.b.id})
    assert compute(db_session, Filters(), SETTINGS, 30, TODAY) == compute(
        db_session, Filters(organisation_ids=everyone), SETTINGS, 30, TODAY
    )
    assert headline(db_session, Filters(), SETTINGS, TODAY) == headline(
        db_session, Filters(organisation_ids=everyone), SETTINGS, TODAY
    )


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(**MARCH_APRIL),
        Filters(sex="female", **MARCH_AUGUST),
    ],
)
def test_figures_are_compute_and_headline(db_session, population, filters):
    sections, top = figures(db_session, filters, SETTINGS, 30, TODAY, visit_interval_days=60)
    assert sections == compute(db_session, filters, SETTINGS, 30, TODAY, visit_interval_days=60)
    assert top == headline(db_session, filters, SETTINGS, TODAY)
    a_only = Filters(organisation_ids=frozenset({population.a.id}), **MARCH_APRIL)
    sections, top = figures(db_session, a_only, SETTINGS, 30, TODAY)
    assert sections == compute(db_session, a_only, SETTINGS, 30, TODAY)
    assert top == headline(db_session, a_only, SETTINGS, TODAY)


def test_a_repeated_page_is_answered_from_the_cache_until_the_skeletons_change(
    db_session, population
):
    filters = Filters(organisation_ids=frozenset({population.a.id}), **MARCH_APRIL)
    first = figures(db_session, filters, SETTINGS, 30, TODAY)
    assert figures(db_session, filters, SETTINGS, 30, TODAY) is first
    # Other filters, settings or days are other entries.
    assert figures(db_session, filters, SETTINGS, 45, TODAY) is not first
    assert figures(db_session, Filters(), SETTINGS, 30, TODAY) is not first
    # A new skeleton changes the marker: the next page counts it.
    skeleton(db_session, population.a.id, registered_month="2026-04", sex="female")
    _sections, top = figures(db_session, filters, SETTINGS, 30, TODAY)
    assert dict(top)["People registered"] == 24
    assert dict(first[1])["People registered"] == 23


def test_a_change_the_marker_does_not_see_shows_when_the_entry_expires(
    db_session, population, monkeypatch
):
    filters = Filters(**MARCH_APRIL)
    first = figures(db_session, filters, SETTINGS, 30, TODAY)
    kept = skeleton(db_session, population.a.id, registered_month="2026-04")
    again = figures(db_session, filters, SETTINGS, 30, TODAY)
    assert again is not first
    # A change written outside the session's unit of work (as a bulk fill writes; on SQLite
    # any change in place: a referral of an existing skeleton) keeps the marker: the cached
    # figures stand until the entry expires, then the change shows.
    db_session.execute(
        insert(CaseSkeletonReferral).values(
            skeleton_id=kept.id, ordinal=1, service_type="legal", state="sent", sent_month="2026-04"
        )
    )
    assert figures(db_session, filters, SETTINGS, 30, TODAY) is again
    real = time.monotonic
    later = SimpleNamespace(monotonic=lambda: real() + indicators.CACHE_SECONDS + 1)
    monkeypatch.setattr(cache, "time", later)  # figures() reads its clock there
    sections, top = figures(db_session, filters, SETTINGS, 30, TODAY)
    # The referral tables now count the new referral (published or, with 21 referrals in
    # these cells, withheld: either way no longer the cached tables).
    assert sections != again[0]
    assert sections == compute(db_session, filters, SETTINGS, 30, TODAY)
    assert top == headline(db_session, filters, SETTINGS, TODAY)


def test_on_postgresql_a_change_in_place_shows_on_the_next_page(db_session, population):
    """PostgreSQL: every flush that writes skeleton rows advances the marker (a sequence read
    in one row, not a scan of the skeletons), so a referral answered or a score recorded
    shows on the next page, not a minute later; a flush writing no skeleton row keeps it."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("the sequence marker is PostgreSQL's; SQLite counts the skeletons")
    filters = Filters(**MARCH_APRIL)
    kept = skeleton(db_session, population.a.id, registered_month="2026-04")
    first = figures(db_session, filters, SETTINGS, 30, TODAY)
    marker = skeletons_marker(db_session)
    population.a.name = population.a.name + " "  # a flush that writes no skeleton row
    db_session.flush()
    assert skeletons_marker(db_session) == marker
    assert figures(db_session, filters, SETTINGS, 30, TODAY) is first
    db_session.add(
        CaseSkeletonReferral(
            skeleton_id=kept.id, ordinal=1, service_type="legal", state="sent", sent_month="2026-04"
        )
    )
    db_session.flush()
    assert skeletons_marker(db_session) != marker
    sections, _top = figures(db_session, filters, SETTINGS, 30, TODAY)
    assert sections != first[0]
    assert sections == compute(db_session, filters, SETTINGS, 30, TODAY)
    # A score changed in place: the same again.
    marker = skeletons_marker(db_session)
    score = db_session.scalars(select(CaseSkeletonScore).limit(1)).one()
    score.score = (score.score or 0) + 0.01
    db_session.flush()
    assert skeletons_marker(db_session) != marker


def test_compute_itself_is_never_cached(db_session, population):
    filters = Filters(**MARCH_APRIL)
    before = dict(headline(db_session, filters, SETTINGS, TODAY))["People registered"]
    figures(db_session, filters, SETTINGS, 30, TODAY)
    skeleton(db_session, population.b.id, registered_month="2026-03")
    after = dict(headline(db_session, filters, SETTINGS, TODAY))["People registered"]
    assert after == before + 1
