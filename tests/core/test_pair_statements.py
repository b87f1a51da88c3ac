"""A name-pair lookup's statements are built once a shape and filled with each lookup's values
(core/crypto/pair_statements.py): the same people found, nothing of one lookup kept for the
next."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select

from core.crypto import BlindIndexEntry, pair_statements, search
from core.crypto.blind_index import NAME
from core.crypto.name_pairs import pair_candidates, pair_query, query_pair
from tests.core.crypto_models import Person


def _add(session, given, family):
    person = Person(given_name=given, family_name=family)
    session.add(person)
    session.flush()
    return person


def test_two_names_of_one_shape_share_a_statement_and_find_each_their_own(crypto_session):
    farida = _add(crypto_session, "Farida", "Rahimi")
    mehmet = _add(crypto_session, "Mehmet", "Yilmaz")
    _add(crypto_session, "Farida", "Yilmaz")
    lookups = []
    for name in ("Farida Rahimi", "Mehmet Yilmaz"):
        terms = NAME.tokens(name)
        lookups.append(pair_query(crypto_session, terms, query_pair(terms), most=100))
    (first, first_values), (second, second_values) = lookups
    assert first is second  # built once: both names' tokens share no key, nine entries each
    assert first_values != second_values
    built = pair_statements._held.cache_info().misses
    assert pair_candidates(crypto_session, "Farida Rahimi", 25) == [farida.id]
    assert pair_candidates(crypto_session, "Mehmet Yilmaz", 25) == [mehmet.id]
    assert search(crypto_session, Person, "name", "Rahimi Farida") == [farida]
    assert pair_statements._held.cache_info().misses == built


def test_a_lookup_within_a_callers_statement_leaves_the_kept_one_unnarrowed(crypto_session):
    farida = _add(crypto_session, "Farida", "Rahimi")
    other = _add(crypto_session, "Farida", "Rahimi")
    terms = NAME.tokens("Farida Rahimi")
    pair = query_pair(terms)
    only_other = select(BlindIndexEntry.subject_id).where(BlindIndexEntry.subject_id == other.id)
    narrowed, values = pair_query(crypto_session, terms, pair, only_other, most=100)
    assert [row.subject_id for row in crypto_session.execute(narrowed, values)] == [other.id]
    kept, values = pair_query(crypto_session, terms, pair, most=100)
    assert kept is not narrowed
    # Built whole, not copied from the kept statement (whose remembered cache key a copy would
    # carry): its own key, so its own compiled form, with the narrowing.
    assert narrowed._generate_cache_key().key != kept._generate_cache_key().key
    assert narrowed.get_final_froms()[0] is not kept.get_final_froms()[0]
    again, _values = pair_query(crypto_session, terms, pair, only_other, most=100)
    assert again is not narrowed
    found = {row.subject_id for row in crypto_session.execute(kept, values)}
    assert found == {farida.id, other.id}


def test_most_bounds_the_rows_read(crypto_session):
    people = [_add(crypto_session, "Farida", "Rahimi") for _ in range(5)]
    terms = NAME.tokens("Farida Rahimi")
    statement, values = pair_query(crypto_session, terms, query_pair(terms), most=2)
    rows = crypto_session.execute(statement, values).all()
    assert len(rows) == 2 and {r.subject_id for r in rows} <= {p.id for p in people}


def test_each_candidates_entries_are_read_for_its_own_values(crypto_session):
    farida = _add(crypto_session, "Farida", "Rahimi")
    entries = sorted(
        crypto_session.execute(
            select(BlindIndexEntry.field, BlindIndexEntry.value).where(
                BlindIndexEntry.subject_id == farida.id,
                BlindIndexEntry.field.like(f"{NAME.name}:%"),
            )
        ).all()
    )
    statement, values = pair_statements.tokens_held([farida.id], entries[:3])
    again, other_values = pair_statements.tokens_held([farida.id], entries[3:6])
    assert statement is again
    read = set(crypto_session.execute(statement, values).all())
    assert read == {(farida.id, f, v) for f, v in entries[:3]}
    assert set(crypto_session.execute(again, other_values).all()) == {
        (farida.id, f, v) for f, v in entries[3:6]
    }


def test_a_narrowing_whose_parameter_has_a_name_of_the_lookups_is_refused(crypto_session):
    _add(crypto_session, "Farida", "Rahimi")
    terms = NAME.tokens("Farida Rahimi")
    pair = query_pair(terms)
    clashing = select(BlindIndexEntry.subject_id).where(
        BlindIndexEntry.value == bindparam(f"{pair_statements.PREFIX}r0v", value=999)
    )
    with pytest.raises(ValueError, match="pair_r0v"):
        pair_query(crypto_session, terms, pair, clashing, most=100)


def test_a_very_long_name_is_read_without_keeping_its_statement(crypto_session):
    farida = _add(crypto_session, "Farida", "Rahimi")
    entries = [("name:exact", n) for n in range(pair_statements.KEPT_ENTRIES + 1)]
    kept = pair_statements._tokens_held.cache_info().currsize
    statement, values = pair_statements.tokens_held([farida.id], entries)
    again, _ = pair_statements.tokens_held([farida.id], entries)
    assert statement is not again
    assert pair_statements._tokens_held.cache_info().currsize == kept
    assert crypto_session.execute(statement, values).all() == []
