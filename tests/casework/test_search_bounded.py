"""Name search and the duplicate check stay bounded however many people share a name
(issue 18): a name search decrypts at most ``NAME_SEARCH_LIMIT`` people and otherwise answers
"more than N match"; the duplicate check reads the few best matches and narrows a common name
by the birth date given."""

from __future__ import annotations

from datetime import date

import pytest

from casework import duplicates, queries, services
from core.crypto import SearchTooBroadError
from core.crypto import fields as crypto_fields
from tests.casework.helpers import caseworker_actor, register_named, search
from tests.factories import sign_in

BORN = date(1990, 4, 2)


@pytest.fixture
def namesakes(app, db_session, caseworker, monkeypatch):
    """Five people called Mehmet Yilmaz (one born on BORN), with limits of 3."""
    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 3)
    monkeypatch.setattr(duplicates, "DUPLICATE_CANDIDATES", 3)
    actor = caseworker_actor(caseworker)
    with app.test_request_context("/"):
        cases = [
            register_named(db_session, actor, "Mehmet Yilmaz", BORN if n == 0 else date(1980, 1, n))
            for n in range(5)
        ]
        register_named(db_session, actor, "Farida Nazari")
    db_session.commit()
    return cases


def _decrypting(monkeypatch) -> list[object]:
    seen: list[object] = []
    real = crypto_fields.decrypt_bytes

    def spy(session, binding, ciphertext):
        seen.append(binding.row_id)
        return real(session, binding, ciphertext)

    monkeypatch.setattr(crypto_fields, "decrypt_bytes", spy)
    return seen


def test_more_namesakes_than_the_limit_are_refused_before_anyone_is_decrypted(
    app, db_session, caseworker, namesakes, monkeypatch
):
    db_session.expunge_all()
    decrypted = _decrypting(monkeypatch)
    with app.test_request_context("/"), pytest.raises(SearchTooBroadError) as broad:
        queries.search_cases(db_session, caseworker_actor(caseworker), "name", "Mehmet Yilmaz")
    assert broad.value.at_least == 3
    assert decrypted == []
    with app.test_request_context("/"):
        found = queries.search_cases(
            db_session, caseworker_actor(caseworker), "name", "Farida Nazari"
        )
    assert len(found) == 1


def test_the_search_page_says_how_many_and_how_to_narrow(
    app, db_session, client, caseworker, namesakes
):
    sign_in(client, caseworker, db_session)
    body = search(client, "name", "Mehmet Yilmaz").get_data(as_text=True)
    assert "More than 3 people match this name." in body
    assert "search by date of birth" in body
    assert "Farida Nazari" in search(client, "name", "Farida Nazari").get_data(as_text=True)


def test_the_duplicate_check_narrows_a_common_name_by_the_birth_date(
    app, db_session, caseworker, namesakes
):
    actor = caseworker_actor(caseworker)
    with app.test_request_context("/"):
        same_day = duplicates.find_possible_duplicates(
            db_session, actor, services.PersonDetails("Mehmet Yilmaz", date_of_birth=BORN), []
        )
        other_day = duplicates.find_possible_duplicates(
            db_session,
            actor,
            services.PersonDetails("Mehmet Yilmaz", date_of_birth=date(2001, 5, 5)),
            [],
        )
        no_day = duplicates.find_possible_duplicates(
            db_session, actor, services.PersonDetails("Mehmet Yilmaz"), []
        )
        rare = duplicates.find_possible_duplicates(
            db_session, actor, services.PersonDetails("Farida Nazari"), []
        )
    # Five share the name, more than the check lists (3): the one born that day is found,
    # the closest spellings are listed with it, and the check says more share the name.
    assert namesakes[0].id in {c.id for c in same_day.visible} and same_day.crowded
    for check in (other_day, no_day):
        assert check.crowded and check.found and len(check.visible) == 3
    assert len(rare.visible) == 1 and not rare.crowded  # a name few share needs no birth date


def test_a_name_held_by_as_many_as_the_limit_finds_them_all(
    app, db_session, caseworker, namesakes, monkeypatch
):
    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 5)
    with app.test_request_context("/"):
        found = queries.search_cases(
            db_session, caseworker_actor(caseworker), "name", "Mehmet Yilmaz"
        )
    assert {c.id for c in found} == {c.id for c in namesakes}
