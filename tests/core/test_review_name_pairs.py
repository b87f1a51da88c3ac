"""Security review of the name-pair blind index (core.crypto.name_pairs): attacks as tests.

Each test passes when the code holds the property the module docstring, the README ("Name
search by pairs") and docs/crypto.md claim, or states exactly what a database reader learns.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import importlib
import logging
import math
import os
import threading
import time

import pytest
from sqlalchemy import event, select, text

from casework.erasure import erase_person
from casework.models import Person as CasePerson
from core.crypto import BlindIndexEntry, SearchTooBroadError, name_pairs, search
from core.crypto import blind_index as blind
from core.crypto.blind_index import DEFAULT_MAX_CANDIDATES, NAME
from core.crypto.keyring import Crypto, bind_crypto, get_crypto
from core.crypto.name_pairs import PAIR_PREFIX, pair_candidates, pair_fields, pair_hashes
from core.crypto.reindex import reindex_batch
from tests.casework.helpers import FARIDA, register
from tests.core.crypto_models import Person
from tests.factories import sign_in

PAIR_LIKE = f"{PAIR_PREFIX}:%"
search_module = importlib.import_module("core.crypto.search")


def _add(session, given, family, **values):
    person = Person(given_name=given, family_name=family, **values)
    session.add(person)
    session.flush()
    return person


def _entries(session, subject_id, pairs=True):
    like = BlindIndexEntry.field.like(PAIR_LIKE)
    return list(
        session.execute(
            select(BlindIndexEntry.field, BlindIndexEntry.value)
            .where(BlindIndexEntry.subject_id == subject_id, like if pairs else ~like)
            .order_by(BlindIndexEntry.id)
        ).all()
    )


# ---- (1) key separation --------------------------------------------------------------------


def test_pair_labels_and_keys_are_separate_from_every_single_token_field(crypto_session):
    crypto = get_crypto(crypto_session)
    single = {index.field(kind) for index in blind.INDEXES.values() for kind in index.bits}
    pairs = set(pair_fields())
    assert len(pairs) == 6 and not pairs & single
    # No registered single-token index is called "name_pair" (its fields would share labels).
    assert all(not f.startswith(f"{PAIR_PREFIX}:") for f in single)
    keys = {field: crypto.index_key(field) for field in pairs | single}
    assert len(set(keys.values())) == len(keys)  # every label its own HKDF key
    # A pair's field is fixed by its kinds: exact+skeleton never lands in skeleton+exact etc.
    field, _ = name_pairs.hash_pair(crypto, ("skeleton", "FRD"), ("exact", "rahimi"))
    assert field == f"{PAIR_PREFIX}:exact+skeleton"


def test_length_prefix_makes_distinct_pairs_distinct_messages(crypto_session):
    # "ab"+"c" and "a"+"bc" in one field must not be the same HMAC input.
    enc = name_pairs._encode
    assert enc("exact", "ab") + enc("exact", "c") != enc("exact", "a") + enc("exact", "bc")
    assert enc("exact", "ab") != enc("exacta", "b")


# ---- (2) what a database reader learns -------------------------------------------------------


def test_pair_entries_are_inserted_in_an_order_that_reveals_no_token_order(crypto_session):
    crypto = get_crypto(crypto_session)
    a = _add(crypto_session, "Farida", "Rahimi")
    b = _add(crypto_session, "Rahimi", "Farida")
    # Same set (unordered pairs) and the same id order (sorted by field and value), so neither
    # the values nor the ids say which token was the given name.
    assert _entries(crypto_session, a.id) == _entries(crypto_session, b.id)
    assert _entries(crypto_session, a.id) == sorted(pair_hashes(crypto, ["Farida", "Rahimi"]))


def test_per_field_counts_reveal_only_what_single_token_entries_already_show(
    crypto_session, monkeypatch
):
    """The number of a person's entries in ``name_pair:K+K`` is C(k, 2) for k distinct ``name:K``
    values of that person: a reader learns how many distinct exact / skeleton / phonetic keys
    the person's names have (so, e.g., a name kept in two scripts: more exact keys than
    phonetic ones) -- more than "how many tokens", but already visible per person in the
    single-token index. (Counted with 30-bit values: at the stored 12 bits two of a person's
    keys coincide now and then under a random test key, and the count is then one less.)"""
    monkeypatch.setattr(name_pairs, "PAIR_BITS", 30)
    for kind in list(NAME.bits):
        monkeypatch.setitem(NAME.bits, kind, 30)
    people = [
        _add(crypto_session, "فریده", "نظری", aliases=["Farida Nazari", "Фарида Назари"]),
        _add(crypto_session, "Farida", "Nazari"),
        _add(crypto_session, "Mehmet Ali", "Yilmaz", aliases=["Mehmed Yılmaz"]),
    ]
    for person in people:
        singles = _entries(crypto_session, person.id, pairs=False)
        pairs = _entries(crypto_session, person.id)
        for kind in name_pairs.PAIR_KINDS:
            k = len({v for f, v in singles if f == NAME.field(kind)})
            n = sum(1 for f, _ in pairs if f == f"{PAIR_PREFIX}:{kind}+{kind}")
            assert n == math.comb(k, 2), (kind, k, n)
    # The two-script person shows fewer skeleton/phonetic keys than exact ones.
    two_scripts = _entries(crypto_session, people[0].id)
    count = {f: sum(1 for g, _ in two_scripts if g == f) for f in pair_fields()}
    assert count[f"{PAIR_PREFIX}:exact+exact"] > count[f"{PAIR_PREFIX}:phonetic+phonetic"]


def test_a_shared_pair_is_a_joint_fingerprint_across_the_six_fields(crypto_session):
    """Each field is 12 bits, but one pair of tokens writes 9 entries under 6 independent keys:
    two people sharing the pair share all 9 values (about 108 bits together), so a reader
    who joins the fields can tell "these two share two name tokens" with near certainty --
    not "a hint over a crowd, never a proof" as the README/docstring say of one field.
    (The single-token index already gives each token a 4-field fingerprint, so the pairs add
    no new linkage; the stated leakage is what is understated.)"""
    crypto = get_crypto(crypto_session)
    same = pair_hashes(crypto, ["Farida Rahimi"])
    again = pair_hashes(crypto, ["Rahimi", "Farida"])
    assert same == again and len(same) == 9
    # Unrelated pairs: never more than a few of the 9 values coincide.
    worst = 0
    for n in range(300):
        other = pair_hashes(crypto, [f"Given{n}", f"Family{n}"])
        worst = max(worst, len(other & same))
    assert worst <= 3


# ---- (3) erasure through the real path -------------------------------------------------------


def test_erasing_an_edited_person_leaves_none_of_their_entries_even_after_reindex(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    register(client, FARIDA)
    person = db_session.scalar(select(CasePerson))
    bind_crypto(db_session, app.extensions["homeward_crypto"])
    before = set(_entries(db_session, person.id))
    assert before
    person.name_latin = "Farida Karimova"  # an edit that changes the pairs
    person.aliases = ["Farida Noori"]
    db_session.flush()
    after_edit = set(_entries(db_session, person.id))
    assert after_edit and after_edit != before
    # No stale pair rows of the old names under this row.
    rows = db_session.scalars(
        select(BlindIndexEntry).where(
            BlindIndexEntry.source_row_id == person.id, BlindIndexEntry.field.like(PAIR_LIKE)
        )
    ).all()
    assert {(r.field, r.value) for r in rows} == after_edit
    assert {r.source_column for r in rows} == {"person.name_pair"}

    with app.test_request_context():
        erase_person(db_session, None, person, "Request of the person, 2026-12-05")
        db_session.flush()
    leftover = select(BlindIndexEntry).where(
        (BlindIndexEntry.subject_id == person.id) | (BlindIndexEntry.source_row_id == person.id)
    )
    assert db_session.scalars(leftover).all() == []
    db_session.expunge_all()
    reindex_batch(db_session, CasePerson, None, 100)
    db_session.flush()
    assert db_session.scalars(leftover).all() == []
    assert search(db_session, CasePerson, "name", "Farida Karimova") == []
    assert search(db_session, CasePerson, "name", "Farida Nazari") == []


# ---- (4) index root key change -------------------------------------------------------------


def test_reindex_after_an_index_root_key_change_leaves_no_entry_under_the_old_key(
    app, crypto_session
):
    people = [
        _add(crypto_session, "Farida", "Rahimi", aliases=["Farida Noori"]),
        _add(crypto_session, "Юсуф", "Ахмедов", aliases=["Yusuf Akhmedov"]),
        _add(crypto_session, "Ahmad", "Ahmadi"),
    ]
    old = app.extensions["homeward_crypto"]
    new = Crypto(dataclasses.replace(old.ring, index_root_key=os.urandom(32)), old.provider)
    bind_crypto(crypto_session, new)
    try:
        crypto_session.expunge_all()
        reindex_batch(crypto_session, Person, None, 100)
        crypto_session.flush()
        for p in people:
            person = crypto_session.get(Person, p.id)
            want = sorted(pair_hashes(new, [person.given_name, person.family_name, person.aliases]))
            got = sorted(_entries(crypto_session, p.id))
            assert got == want  # exactly the new-key entries: none left from the old key
            old_values = set(
                pair_hashes(old, [person.given_name, person.family_name, person.aliases])
            )
            assert not old_values <= set(got)
        assert [p.id for p in search(crypto_session, Person, "name", "Noori Rahimi")] == [
            people[0].id
        ]
    finally:
        bind_crypto(crypto_session, old)


# ---- (5) search correctness and privacy ------------------------------------------------------


@pytest.fixture
def town(crypto_session):
    names = [
        ("Mehmet", "Yilmaz"),
        ("Mehmet", "Yilmaz"),
        ("Mehmed", "Yılmaz"),
        ("Ahmad", "Ahmadi"),
        ("Ahmad", "Karimi"),
        ("Ahmadi", "Ahmad"),
        ("Farida", "Rahimi"),
        ("Farida", "Noori"),
        ("Юсуф", "Ахмедов"),
        ("Ali", "Ali"),
        ("Ali", "Karimi"),
    ]
    for n in range(30):
        names += [("Mehmet", f"Family{n}"), (f"Given{n}", "Yilmaz")]
    return [_add(crypto_session, g, f) for g, f in names]


QUERIES = [
    "Mehmet Yilmaz",
    "Yilmaz Mehmet",
    "Mehmed Yilmaz",
    "Ahmad Ahmadi",
    "Ahmad Karimi",
    "Farida Rahimi Noori",
    "Ali Karimi",
    "Ali Ali",
    "Yusuf Akhmedov",
    "Mehmet Family3",
    "Given3 Family3",
    "Mehmet Mehmet Yilmaz",
    "Ahmad Ahmed Ahmadi",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_pair_path_never_shows_anyone_the_single_token_path_would_not(
    crypto_session, town, query, monkeypatch
):
    paired = {p.id for p in search(crypto_session, Person, "name", query)}
    monkeypatch.setattr(search_module, "pair_candidates", lambda *a, **k: None)
    single = {p.id for p in search(crypto_session, Person, "name", query)}
    assert paired <= single, query


def test_no_name_reaches_sql_parameters_logs_or_errors(app, crypto_session, town, caplog):
    seen: list[str] = []

    def spy(_conn, _cursor, statement, parameters, _context, _many):
        seen.append(repr(statement) + repr(parameters))

    engine = crypto_session.get_bind()
    engine = getattr(engine, "engine", engine)
    event.listen(engine, "before_cursor_execute", spy)
    caplog.set_level(logging.DEBUG)
    try:
        search(crypto_session, Person, "name", "Mehmet Yilmaz")
        search(crypto_session, Person, "name", "Farida Rahimi Noori")
        with pytest.raises(SearchTooBroadError) as broad:
            search(crypto_session, Person, "name", "Mehmet Yilmaz", max_candidates=1)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert seen
    text = " ".join(seen).lower() + caplog.text.lower() + str(broad.value).lower()
    for token in ["mehmet", "yilmaz", "farida", "rahimi", "noori", "mhmt", "ylmz"]:
        assert token not in text, token


def test_a_too_broad_pair_search_is_refused_not_truncated(crypto_session, town):
    # 3 people hold Mehmet+Yilmaz (two exact, one alike): with room for 1, refuse.
    with pytest.raises(SearchTooBroadError):
        pair_candidates(crypto_session, "Mehmet Yilmaz", 1)


# ---- (6) the decryption memo ---------------------------------------------------------------


def test_the_memo_is_fresh_for_every_search_and_kept_nowhere(crypto_session, town, monkeypatch):
    first_seen: list[int] = []  # size of the memo at the first candidate of each search
    state = {"new": False}
    real = search_module.match_rank

    def spy(index_name, query, values, memo=None):
        assert memo is not None
        if state["new"]:
            first_seen.append(len(memo))
            state["new"] = False
        return real(index_name, query, values, memo)

    monkeypatch.setattr(search_module, "match_rank", spy)
    for query in ["Mehmet Yilmaz", "Mehmet Yilmaz", "Farida Rahimi"]:
        state["new"] = True
        assert search(crypto_session, Person, "name", query)
    assert first_seen == [0, 0, 0]  # each search starts with an empty memo
    gc.collect()
    # No dict keyed by a decrypted name survives in the modules' globals.
    for module in (blind, name_pairs, search_module):
        for value in vars(module).values():
            if isinstance(value, dict):
                assert "Yilmaz" not in value and "Farida" not in value


# ---- (7) denial of service -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        " ".join(["ali"] * 175),  # one token many times: every combination scanned
        " ".join(f"ahmad{'i' * k}" for k in range(30)),  # all alike, none apart
        " ".join(f"t{n:03d}" for n in range(140)),  # many different tokens
    ],
)
def test_a_long_query_costs_little(crypto_session, town, query):
    """The search form allows 200 characters, registration (duplicate check) 200 per name and
    500 of aliases: allow 700 here."""
    assert len(query) <= 700
    started = time.perf_counter()
    with contextlib.suppress(SearchTooBroadError):
        search(crypto_session, Person, "name", query)
    assert time.perf_counter() - started < 2.0


def test_a_person_with_the_longest_names_the_forms_allow_stays_bounded(crypto_session):
    """The pairs are quadratic in a person's tokens, but 12-bit values bound them: at most
    6 * 4096 entries, however many tokens (write amplification, not unbounded)."""
    crypto = get_crypto(crypto_session)
    words = [f"{a}{b}" for a in "bcdfgklmnprst" for b in "aeiou"]
    aliases = ", ".join(words[:166])
    started = time.perf_counter()
    found = pair_hashes(crypto, [" ".join(words[:66]), " ".join(words[-66:]), aliases])
    assert time.perf_counter() - started < 5.0
    assert len(found) <= 6 * 2**name_pairs.PAIR_BITS
    assert DEFAULT_MAX_CANDIDATES  # the search limit is unchanged


# ---- (3b) erasure racing the live backfill (PostgreSQL, two real transactions) ---------------


@pytest.fixture(scope="module")
def live_app(backend, key_file, tmp_path_factory):
    if backend != "postgresql":
        pytest.skip("two concurrent transactions need PostgreSQL")
    from core import migrate
    from core.app import create_app
    from tests import databases
    from tests.conftest import make_settings

    url = databases.fresh_database(backend, tmp_path_factory.mktemp("pairs"), "pairsrace")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


def test_an_erasure_committed_during_the_backfill_leaves_no_entry_behind(live_app, monkeypatch):
    """``homeward db reindex-search`` is the pair backfill, to be run "on a live system". Its
    batch decrypts a person, then replaces their entries; if the person is erased (key
    destroyed, every entry deleted, committed) in between, the batch must not write their
    entries back: nothing of an erased person may stay in ``blind_index``."""
    from core.crypto import erase_subject
    from core.crypto import reindex as reindex_module
    from tests.factories import make_organisation

    database = live_app.extensions["homeward_db"]
    with live_app.app_context():
        setup = database.new_session()
        org = make_organisation(live_app, setup)
        person = CasePerson(
            organisation_id=org.id, name_original="فریده رحیمی", name_latin="Farida Rahimi"
        )
        setup.add(person)
        setup.commit()
        person_id = person.id
        setup.close()

        real_remove = reindex_module.blind.remove_entries
        erasure: list[threading.Thread] = []

        def erase() -> None:
            with live_app.app_context():
                eraser = database.new_session()
                erase_subject(eraser, person_id)
                eraser.get(CasePerson, person_id).erased_at = time_now()
                eraser.commit()
                eraser.close()

        def erase_meanwhile(session, row_id, source):
            if row_id == person_id and not erasure:
                # The batch has just decrypted the person: an erasure runs now, in its own
                # transaction; give it a second to finish (it may rightly wait for the batch).
                erasure.append(threading.Thread(target=erase))
                erasure[0].start()
                erasure[0].join(1.0)
            return real_remove(session, row_id, source)

        monkeypatch.setattr(reindex_module.blind, "remove_entries", erase_meanwhile)
        backfill = database.new_session()
        backfill.execute(text("SET lock_timeout = '20s'"))
        reindex_batch(backfill, CasePerson, None, 500)
        backfill.commit()
        backfill.close()
        assert erasure
        erasure[0].join(30)
        assert not erasure[0].is_alive()

        check = database.new_session()
        left = check.execute(
            select(BlindIndexEntry.field).where(BlindIndexEntry.subject_id == person_id)
        ).all()
        check.close()
        assert left == [], f"{len(left)} entries of an erased person: {sorted(set(left))}"


def time_now():
    from core.clock import utcnow

    return utcnow()


def test_a_name_edit_committed_during_the_backfill_leaves_no_old_name_entry(live_app, monkeypatch):
    """The same window as above with an edit: a person renamed (say, for their safety) while
    the batch holds their old names must end up indexed by the new names only, not by the
    old names the batch decrypted before the edit (those would stay linked to them)."""
    from core.crypto import reindex as reindex_module
    from tests.factories import make_organisation

    database = live_app.extensions["homeward_db"]
    with live_app.app_context():
        setup = database.new_session()
        org = make_organisation(live_app, setup)
        person = CasePerson(organisation_id=org.id, name_original="Zarina Temirova")
        setup.add(person)
        setup.commit()
        person_id = person.id
        setup.close()
        real_remove = reindex_module.blind.remove_entries
        edit: list[threading.Thread] = []

        def rename() -> None:
            with live_app.app_context():
                editor = database.new_session()
                editor.get(CasePerson, person_id).name_original = "Leila Nurova"
                editor.commit()
                editor.close()

        def rename_meanwhile(session, row_id, source):
            if row_id == person_id and not edit:
                edit.append(threading.Thread(target=rename))
                edit[0].start()
                edit[0].join(1.0)
            return real_remove(session, row_id, source)

        monkeypatch.setattr(reindex_module.blind, "remove_entries", rename_meanwhile)
        backfill = database.new_session()
        backfill.execute(text("SET lock_timeout = '20s'"))
        reindex_batch(backfill, CasePerson, None, 500)
        backfill.commit()
        backfill.close()
        edit[0].join(30)
        assert not edit[0].is_alive()

        check = database.new_session()
        crypto = get_crypto(check)
        stored = set(
            check.execute(
                select(BlindIndexEntry.field, BlindIndexEntry.value).where(
                    BlindIndexEntry.subject_id == person_id,
                    BlindIndexEntry.field.like(PAIR_LIKE),
                )
            ).all()
        )
        check.close()
        assert not stored & pair_hashes(crypto, ["Zarina Temirova"]), "old-name pairs stayed"
        assert stored == pair_hashes(crypto, ["Leila Nurova"])
