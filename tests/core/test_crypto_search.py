"""Blind-index search: scripts, spellings, documents, dates; coincidences never shown."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.crypto import (
    BlindIndexEntry,
    CryptoError,
    SearchTooBroadError,
    UnknownBlindIndexError,
    candidate_subjects,
    get_blind_index,
    match_rank,
    search,
)
from core.crypto.blind_index import (
    DEFAULT_MAX_CANDIDATES,
    hash_term,
    registered_indexes,
    safe_bit_range,
)
from core.crypto.keyring import get_crypto
from core.crypto.name_pairs import PAIR_BITS, PAIR_PREFIX
from core.crypto.normalise import identifier_key, name_keys, name_tokens
from tests.core.crypto_models import Document, Person


def _add(session, **values):
    person = Person(**values)
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def people(crypto_session):
    return {
        "farida": _add(
            crypto_session,
            given_name="Farida",
            family_name="Rahimi",
            date_of_birth=date(1990, 4, 17),
            documents=["AB 123-4567"],
        ),
        "farid": _add(crypto_session, given_name="Farid", family_name="Karimov"),
        "yusuf": _add(
            crypto_session, given_name="Юсуф", family_name="Ахмедов", aliases=["Yusuf Akhmedov"]
        ),
        "omid": _add(crypto_session, given_name="امید", family_name="احمدی"),
        "maria": _add(crypto_session, given_name="María José", family_name="Núñez"),
    }


@pytest.mark.parametrize("query", ["Farida", "Фарида", "فریده", "Farīda", "FARIDA", "farideh"])
def test_a_name_is_found_from_every_script_and_spelling(crypto_session, people, query):
    found = search(crypto_session, Person, "name", query)
    assert people["farida"] in found


def test_exact_spelling_ranks_before_phonetic_look_alikes(crypto_session, people):
    found = search(crypto_session, Person, "name", "Farida")
    assert found[0] is people["farida"]
    assert people["farid"] in found  # same consonants: shown, but after the exact match


def test_every_query_token_must_match(crypto_session, people):
    assert search(crypto_session, Person, "name", "Farida Rahimi") == [people["farida"]]
    assert search(crypto_session, Person, "name", "Farida Ahmadi") == []
    assert search(crypto_session, Person, "name", "Farida Karimov") == [people["farid"]]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Yusuf", "yusuf"),
        ("Youssouf", "yusuf"),
        ("یوسف", "yusuf"),
        ("Akhmedov", "yusuf"),
        ("Omid Ahmadi", "omid"),
        ("Омид", "omid"),
        ("maria nunez", "maria"),
        ("MARÍA", "maria"),
    ],
)
def test_names_written_in_cyrillic_arabic_and_latin_find_each_other(
    crypto_session, people, query, who
):
    assert people[who] in search(crypto_session, Person, "name", query)


def test_search_by_document_number_ignores_spaces_dashes_and_case(crypto_session, people):
    for query in ["AB1234567", "ab 123 4567", "AB-123-4567"]:
        assert search(crypto_session, Person, "document", query) == [people["farida"]]
    assert search(crypto_session, Person, "document", "AB1234568") == []


def test_search_by_document_on_a_related_row(crypto_session, people):
    document = Document(person_id=people["omid"].id, number="P 55-66-77", kind="passport")
    crypto_session.add(document)
    crypto_session.flush()
    assert search(crypto_session, Document, "document", "p556677") == [document]


def test_search_by_date_of_birth(crypto_session, people):
    assert search(crypto_session, Person, "date_of_birth", date(1990, 4, 17)) == [people["farida"]]
    assert search(crypto_session, Person, "date_of_birth", "1990-04-18") == []


def test_changed_name_is_reindexed_and_deleted_rows_leave_no_entries(crypto_session, people):
    person = people["farida"]
    person.given_name = "Zarina"
    crypto_session.flush()
    assert person not in search(crypto_session, Person, "name", "Farida")
    assert search(crypto_session, Person, "name", "Zarina Rahimi") == [person]
    crypto_session.delete(person)
    crypto_session.flush()
    count = crypto_session.scalar(
        select(func.count()).where(BlindIndexEntry.subject_id == person.id)
    )
    assert count == 0


def test_truncation_coincidences_are_candidates_but_never_results(crypto_session, people):
    """Plant an index entry for Omid equal to Farida's: a candidate, filtered on decryption."""
    crypto = get_crypto(crypto_session)
    index = get_blind_index("name")
    for kind, term in name_keys("farida").items():
        crypto_session.add(
            BlindIndexEntry(
                subject_id=people["omid"].id,
                source_row_id=people["omid"].id,
                source_column="crypto_test_person.given_name",
                field=index.field(kind),
                value=hash_term(crypto, index, kind, term),
            )
        )
    crypto_session.flush()
    assert people["omid"].id in candidate_subjects(crypto_session, "name", "Farida")
    assert people["omid"] not in search(crypto_session, Person, "name", "Farida")


def test_index_values_are_truncated_keyed_hashes_not_plain_terms(crypto_session, people):
    entries = crypto_session.scalars(
        select(BlindIndexEntry).where(BlindIndexEntry.subject_id == people["farida"].id)
    ).all()
    assert entries
    for entry in entries:
        index, kind = entry.field.split(":")
        bits = PAIR_BITS if index == PAIR_PREFIX else get_blind_index(index).bits[kind]
        assert 0 <= entry.value < 2**bits


def test_too_broad_searches_are_refused(crypto_session, people):
    with pytest.raises(SearchTooBroadError):
        candidate_subjects(crypto_session, "name", "Farida", max_candidates=0)
    assert DEFAULT_MAX_CANDIDATES >= 1000


def test_unknown_index_is_a_clear_error(crypto_session):
    with pytest.raises(UnknownBlindIndexError):
        candidate_subjects(crypto_session, "shoe_size", "42")
    with pytest.raises(CryptoError, match="feeds no values"):
        search(crypto_session, Person, "case_number", "42")


def test_empty_query_finds_nothing(crypto_session, people):
    assert search(crypto_session, Person, "name", " - ") == []
    assert match_rank("name", "", ["Farida"]) is None


@pytest.mark.parametrize("people_count", [10_000, 1_000_000])
def test_bit_lengths_follow_the_planner_across_the_design_population(people_count):
    """CipherSweet's planner: 2 <= coincidences <= sqrt(entries), at 10k and at 1M people."""
    for index in registered_indexes():
        entries = people_count * index.entries_per_subject
        low, high = safe_bit_range(entries)
        for kind, bits in index.bits.items():
            assert low <= bits <= high, (index.name, kind, bits, low, high)
            coincidences = entries / 2**bits
            assert 2 <= coincidences <= math.sqrt(entries)


def test_identifier_normalisation():
    assert identifier_key(" ab-12 34.5 ") == "AB12345"
    assert identifier_key("№ ٤٥٦") == "NO456"
    assert identifier_key("ав 123") == "AB123"  # Cyrillic look-alikes typed on a passport
    assert identifier_key("Ж-77") == "ZH77"


# Property tests: normalisation across scripts -------------------------------------------

LATIN_TO_CYRILLIC = dict(zip("abdefgiklmnoprstuz", "абдефгиклмнопрстуз", strict=True))
LATIN_TO_ARABIC = dict(zip("bdfklmnrstz", "بدفکلمنرستز", strict=True))
COMBINING = ["\u0301", "\u0300", "\u0304", "\u0308", "\u0303", "\u030c"]

syllables = st.lists(
    st.tuples(st.sampled_from(sorted(LATIN_TO_ARABIC)), st.sampled_from("aeiou")),
    min_size=1,
    max_size=5,
)


@given(syllables)
def test_cyrillic_spelling_matches_latin(parts):
    latin = "".join(c + v for c, v in parts)
    cyrillic = "".join(LATIN_TO_CYRILLIC[ch] for ch in latin)
    assert match_rank("name", cyrillic, [latin.title()]) == 1
    assert match_rank("name", latin, [cyrillic.upper()]) == 1


@given(syllables)
def test_arabic_script_without_short_vowels_matches_latin(parts):
    latin = "".join(c + v for c, v in parts)
    arabic = "".join(LATIN_TO_ARABIC[c] for c, _v in parts)
    assert match_rank("name", arabic, [latin.capitalize()]) is not None
    assert match_rank("name", latin, [arabic]) is not None


@given(syllables, st.data())
def test_diacritics_and_case_do_not_matter(parts, data):
    latin = "".join(c + v for c, v in parts)
    marks = data.draw(st.lists(st.sampled_from(["", *COMBINING]), min_size=len(latin)))
    decorated = "".join(ch + mark for ch, mark in zip(latin, marks, strict=False))
    decorated += latin[len(marks) :]
    assert match_rank("name", decorated.upper(), [latin]) in (0, 1)


@pytest.mark.parametrize("text", ["ع", "ـعـ", "b\u0301", "\u0301", "Oʻzbek", "١٢٣"])
def test_awkward_tokens_still_get_every_key(text):
    for token in name_tokens(text):
        assert all(name_keys(token).values())
    assert match_rank("name", text, [text]) in (None, 0)


@given(st.text(max_size=60))
def test_normalisation_never_fails_and_is_stable(text):
    for token in name_tokens(text):
        keys = name_keys(token)
        assert set(keys) == {"exact", "latin", "skeleton", "phonetic"}
        assert name_keys(token) == keys
        assert all(keys.values())
    assert match_rank("name", text, [text]) in (None, 0)
