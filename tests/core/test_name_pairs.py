"""The name-pair blind index: selective candidates for a given name plus a family name."""

from __future__ import annotations

import math
import uuid
from datetime import date

import pytest
from sqlalchemy import delete, select

from core.crypto import BlindIndexEntry, SearchTooBroadError, erase_subject, name_pairs, search
from core.crypto import fields as crypto_fields
from core.crypto.blind_index import DEFAULT_MAX_CANDIDATES, NAME, candidate_subjects, safe_bit_range
from core.crypto.keyring import get_crypto
from core.crypto.keystore import forget_keys
from core.crypto.name_pairs import (
    PAIR_BITS,
    PAIR_ENTRIES_PER_SUBJECT,
    PAIR_PREFIX,
    _more_pairs,
    hash_pair,
    pair_candidates,
    pair_fields,
    query_pair,
)
from core.crypto.reindex import reindex_batch
from tests.core.crypto_models import Person
from tests.statements import counting


def _add(session, given, family, **values):
    person = Person(given_name=given, family_name=family, **values)
    session.add(person)
    session.flush()
    return person


def _pair_entries(session, person_id):
    return sorted(
        session.execute(
            select(BlindIndexEntry.field, BlindIndexEntry.value).where(
                BlindIndexEntry.subject_id == person_id,
                BlindIndexEntry.field.like(f"{PAIR_PREFIX}:%"),
            )
        ).all()
    )


@pytest.fixture
def crowd(crypto_session):
    """Many people share the given name, many the family name, three have both."""
    both = [_add(crypto_session, "Mehmet", "Yilmaz") for _ in range(3)]
    given = [_add(crypto_session, "Mehmet", f"Family{n}") for n in range(25)]
    family = [_add(crypto_session, f"Given{n}", "Yilmaz") for n in range(25)]
    return {"both": both, "given": given, "family": family}


def test_pair_entries_are_truncated_hashes_under_their_own_keys(crypto_session):
    person = _add(crypto_session, "Farida", "Rahimi")
    entries = _pair_entries(crypto_session, person.id)
    # Two tokens, three keys each: one entry per choice of a key from each token.
    assert len(entries) == 9
    assert {field for field, _ in entries} <= set(pair_fields())
    assert all(0 <= value < 2**PAIR_BITS for _, value in entries)
    crypto = get_crypto(crypto_session)
    # Separate HKDF labels: a pair value can never be compared with a single-token value.
    single_keys = {crypto.index_key(NAME.field(kind)) for kind in NAME.bits}
    assert not single_keys & {crypto.index_key(field) for field in pair_fields()}
    stored = select(BlindIndexEntry.source_column).where(
        BlindIndexEntry.subject_id == person.id, BlindIndexEntry.field.like(f"{PAIR_PREFIX}:%")
    )
    assert set(crypto_session.scalars(stored)) == {f"{Person.__tablename__}.{PAIR_PREFIX}"}


def test_a_pair_is_the_same_in_either_order(crypto_session):
    crypto = get_crypto(crypto_session)
    a, b = ("exact", "mehmet"), ("phonetic", "YLMS")
    assert hash_pair(crypto, a, b) == hash_pair(crypto, b, a)
    person = _add(crypto_session, "Farida", "Rahimi")
    assert search(crypto_session, Person, "name", "Rahimi Farida") == [person]


def test_a_common_pair_decrypts_only_the_people_with_both_names(
    app, crypto_session, crowd, monkeypatch
):
    wanted = {p.id for p in crowd["both"]}
    # The single-token index alone finds the crowd's truncation-free intersection too, but
    # through two large sets; the pair lookup reads only the pair's people.
    assert pair_candidates(crypto_session, "Mehmet Yilmaz", DEFAULT_MAX_CANDIDATES) is not None
    assert set(pair_candidates(crypto_session, "Mehmet Yilmaz", DEFAULT_MAX_CANDIDATES)) == wanted
    decrypted: set[uuid.UUID] = set()
    real = crypto_fields.decrypt_bytes

    def spy(session, binding, ciphertext):
        decrypted.add(binding.row_id)  # a Person row is its own subject
        return real(session, binding, ciphertext)

    monkeypatch.setattr(crypto_fields, "decrypt_bytes", spy)
    crypto_session.expunge_all()  # no decrypted value cached on a loaded object
    forget_keys(crypto_session)
    with counting(app) as statements:
        found = search(crypto_session, Person, "name", "Mehmet Yilmaz")
    assert {p.id for p in found} == wanted
    assert decrypted == wanted  # nobody with only one of the two names was decrypted
    # Three statements for the candidates (how many spell the pair alike, up to the limit;
    # the pair entries; their single-token entries), one for their rows, one for all their
    # data keys: whatever the number of candidates.
    assert statements.count == 5, statements


def test_results_match_the_single_token_search(crypto_session, crowd):
    for query in ["Mehmet Yilmaz", "Yilmaz Mehmet", "mehmet YILMAZ", "Mehmet Family7"]:
        paired = set(pair_candidates(crypto_session, query, DEFAULT_MAX_CANDIDATES) or [])
        single = candidate_subjects(crypto_session, "name", query)
        assert paired <= single
        found = {p.id for p in search(crypto_session, Person, "name", query)}
        assert found <= paired
    assert {p.id for p in search(crypto_session, Person, "name", "Mehmet Family7")} == {
        crowd["given"][7].id
    }


def test_spellings_across_scripts_still_pair(crypto_session):
    person = _add(crypto_session, "Юсуф", "Ахмедов", aliases=["Yusuf Akhmedov"])
    for query in ["Yusuf Akhmedov", "Юсуф Ахмедов", "Youssouf Akhmedov", "Akhmedov Yusuf"]:
        assert query_pair(NAME.tokens(query)) is not None
        assert search(crypto_session, Person, "name", query) == [person]


def test_one_token_or_one_token_twice_uses_the_single_token_index(crypto_session):
    person = _add(crypto_session, "Ali", "Karimi")
    assert query_pair(NAME.tokens("Ali")) is None
    assert query_pair(NAME.tokens("Ali ali")) is None  # one token twice
    assert pair_candidates(crypto_session, "Ali", DEFAULT_MAX_CANDIDATES) is None
    assert search(crypto_session, Person, "name", "Ali") == [person]
    assert search(crypto_session, Person, "name", "Ali ALI") == [person]


def test_editing_a_name_replaces_its_pairs(crypto_session):
    person = _add(crypto_session, "Farida", "Rahimi")
    before = _pair_entries(crypto_session, person.id)
    person.family_name = "Karimova"
    crypto_session.flush()
    after = _pair_entries(crypto_session, person.id)
    assert len(after) == 9 and after != before
    assert search(crypto_session, Person, "name", "Farida Rahimi") == []
    assert search(crypto_session, Person, "name", "Farida Karimova") == [person]
    person.aliases = ["Farida Noori"]  # pairs span every name value, unchanged ones read
    crypto_session.flush()
    assert search(crypto_session, Person, "name", "Noori Karimova") == [person]


def test_erasure_removes_the_pair_entries(crypto_session):
    person = _add(crypto_session, "Farida", "Rahimi")
    assert _pair_entries(crypto_session, person.id)
    erase_subject(crypto_session, person.id)
    assert _pair_entries(crypto_session, person.id) == []
    assert search(crypto_session, Person, "name", "Farida Rahimi") == []


def test_reindex_rebuilds_the_pair_entries(crypto_session):
    person = _add(crypto_session, "Farida", "Rahimi", aliases=["Farida Noori"])
    before = _pair_entries(crypto_session, person.id)
    assert len(before) == 27  # three tokens: three pairs of nine
    crypto_session.execute(
        delete(BlindIndexEntry).where(BlindIndexEntry.field.like(f"{PAIR_PREFIX}:%"))
    )
    assert search(crypto_session, Person, "name", "Farida Rahimi") == []  # not yet backfilled
    reindex_batch(crypto_session, Person, None, 10)
    assert _pair_entries(crypto_session, person.id) == before
    assert search(crypto_session, Person, "name", "Farida Rahimi") == [person]


def test_reindex_skips_erased_people(crypto_session):
    person = _add(crypto_session, "Farida", "Rahimi")
    erase_subject(crypto_session, person.id)
    crypto_session.expunge_all()  # a new batch: nothing decrypted before the erasure cached
    reindex_batch(crypto_session, Person, None, 10)
    assert _pair_entries(crypto_session, person.id) == []


@pytest.mark.parametrize(
    ("people_count", "per_subject"),
    [(10_000, PAIR_ENTRIES_PER_SUBJECT[0]), (1_000_000, PAIR_ENTRIES_PER_SUBJECT[1])],
)
def test_pair_bits_follow_the_planner_across_the_design_population(people_count, per_subject):
    """The fewest entries at the smallest population bound the bits from above (a value is
    shared by at least two), the most at the largest from below (at most sqrt(R) per value)."""
    assert len(pair_fields()) == 6
    entries = people_count * per_subject
    low, high = safe_bit_range(entries)
    assert low <= PAIR_BITS <= high, (people_count, low, high)
    assert 2 <= entries / 2**PAIR_BITS <= math.sqrt(entries)


def test_two_names_alike_are_looked_up_by_their_differing_keys(crypto_session):
    """ "Ahmad Ahmadi": the two tokens share a phonetic key and a skeleton, not an exact key."""
    both = _add(crypto_session, "Ahmad", "Ahmadi")
    reversed_ = _add(crypto_session, "Ahmadi", "Ahmad")
    _add(crypto_session, "Ahmad", "Karimi")  # one token matching both: not found by a pair
    _add(crypto_session, "Karim", "Ahmadi")
    assert query_pair(NAME.tokens("Ahmad Ahmadi")) == (0, 1)
    found = search(crypto_session, Person, "name", "Ahmad Ahmadi")
    assert {p.id for p in found} == {both.id, reversed_.id}


def test_a_full_name_of_three_tokens_narrows_by_two_pairs(crypto_session):
    person = _add(crypto_session, "Farida", "Rahimi", aliases=["Farida Noori"])
    _add(crypto_session, "Farida", "Rahimi")  # two of the three names only
    _add(crypto_session, "Farida", "Noori")
    terms = NAME.tokens("Farida Rahimi Noori")
    assert _more_pairs(terms, query_pair(terms)) == [(0, 2)]
    for query in ["Farida Rahimi Noori", "Noori Farida Rahimi"]:
        assert pair_candidates(crypto_session, query, DEFAULT_MAX_CANDIDATES) == [person.id]
        assert search(crypto_session, Person, "name", query) == [person]


# ---- bounded at any population (issue 18) ---------------------------------------------------


def test_the_closest_spellings_come_first_and_the_lookup_reads_only_the_best(
    crypto_session, monkeypatch
):
    alike = [_add(crypto_session, "Mehmed", "Yılmaz") for _ in range(3)]
    exact = [_add(crypto_session, "Mehmet", "Yilmaz") for _ in range(2)]
    found = pair_candidates(crypto_session, "Mehmet Yilmaz", DEFAULT_MAX_CANDIDATES)
    assert found is not None
    assert set(found[:2]) == {p.id for p in exact}  # all nine entries held before two or three
    assert set(found[2:]) == {p.id for p in alike}
    # Only the best PAIR_LOOKUP_LIMIT x max_candidates subjects of the lookup are checked.
    monkeypatch.setattr(name_pairs, "PAIR_LOOKUP_LIMIT", 1)
    assert set(pair_candidates(crypto_session, "Mehmet Yilmaz", 2) or []) == {p.id for p in exact}
    assert search(crypto_session, Person, "name", "Mehmet Yilmaz", max_candidates=2) == sorted(
        exact, key=lambda p: found.index(p.id)
    )


def test_a_pair_spelt_alike_by_more_than_the_limit_is_refused_in_one_bounded_statement(
    app, crypto_session
):
    for _ in range(12):
        _add(crypto_session, "Mehmet", "Yilmaz")
    crypto_session.expunge_all()
    forget_keys(crypto_session)
    with counting(app) as statements, pytest.raises(SearchTooBroadError) as broad:
        search(crypto_session, Person, "name", "Mehmet Yilmaz", max_candidates=5)
    assert broad.value.at_least == 5
    # One statement, LIMIT max_candidates + 1: no pair lookup, no row, no key, no decryption.
    assert statements.count == 1, statements
    assert "LIMIT" in statements.seen[0].upper()
    assert len(search(crypto_session, Person, "name", "Mehmet Yilmaz", max_candidates=12)) == 12


def test_a_common_name_narrowed_by_a_birth_date_in_the_same_lookup(crypto_session):
    born = date(1990, 4, 2)
    wanted = _add(crypto_session, "Mehmet", "Yilmaz", date_of_birth=born)
    for n in range(8):
        _add(crypto_session, "Mehmet", "Yilmaz", date_of_birth=date(1980, 1, n + 1))
    _add(crypto_session, "Mehmet", "Family1", date_of_birth=born)
    with pytest.raises(SearchTooBroadError):
        search(crypto_session, Person, "name", "Mehmet Yilmaz", max_candidates=3)
    for query in ["Mehmet Yilmaz", "Mehmet"]:  # the pair lookup and the single-token one
        found = search(
            crypto_session,
            Person,
            "name",
            query,
            max_candidates=3,
            within=("date_of_birth", born),
        )
        # The date's entries are truncated (11 bits): another date may share them, one in
        # 2,048 per date, and the caller confirms the decrypted value (``search``'s ``within``).
        others = [p for p in found if p.date_of_birth != born]
        assert wanted in found and len(others) <= 1, (query, [p.date_of_birth for p in found])
