"""Searching a range of values (every day of a year) through an index of single values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.crypto import BlindIndexEntry, SearchTooBroadError, search_any
from core.crypto.blind_index import candidate_subjects_any
from tests.core.crypto_models import Person


def _year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.fixture
def born(crypto_session):
    people = {
        when: Person(given_name="P", family_name=f"F{n}", date_of_birth=when)
        for n, when in enumerate([date(1990, 1, 1), date(1990, 12, 31), date(1991, 1, 1)])
    }
    crypto_session.add_all(people.values())
    crypto_session.flush()
    return people


def test_any_day_of_a_year_matches_and_nothing_is_stored(crypto_session, born):
    entries = crypto_session.scalar(select(func.count()).select_from(BlindIndexEntry))
    found = search_any(
        crypto_session,
        Person,
        "date_of_birth",
        _year(1990),
        lambda p: p.date_of_birth is not None and p.date_of_birth.year == 1990,
    )
    assert {p.date_of_birth for p in found} == {date(1990, 1, 1), date(1990, 12, 31)}
    assert crypto_session.scalar(select(func.count()).select_from(BlindIndexEntry)) == entries


def test_also_adds_subjects_the_index_cannot_name(crypto_session, born):
    extra = born[date(1991, 1, 1)]
    found = search_any(crypto_session, Person, "date_of_birth", [], lambda p: True, also=[extra.id])
    assert found == [extra]


def test_too_many_candidates_and_queries_of_several_tokens_are_refused(crypto_session, born):
    with pytest.raises(SearchTooBroadError):
        candidate_subjects_any(crypto_session, "date_of_birth", _year(1990), max_candidates=1)
    with pytest.raises(SearchTooBroadError):
        search_any(
            crypto_session,
            Person,
            "date_of_birth",
            [],
            lambda p: True,
            also=[p.id for p in born.values()],
            max_candidates=2,
        )
    with pytest.raises(ValueError, match="one token"):
        candidate_subjects_any(crypto_session, "name", ["Farida Rahimi"])
