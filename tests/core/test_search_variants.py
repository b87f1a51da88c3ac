"""Search across Arabic-script letter variants and any digits; the reindex command."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, select

from casework.models import Case
from core.crypto import BlindIndexEntry, search
from core.crypto.name_pairs import pair_fields
from core.crypto.normalise import exact_key, identifier_key
from tests.casework.helpers import FARIDA, case_url, register
from tests.core.crypto_models import Person
from tests.factories import make_account, sign_in

#: (as stored, as typed): Arabic and Persian keyboards, hamza forms, Urdu letters.
VARIANTS = [
    ("علي", "علی"),  # Arabic yeh / Persian yeh
    ("موسى", "موسی"),  # alif maqsura / Persian yeh
    ("كريم", "کریم"),  # Arabic kaf / Persian keheh
    ("فاطمة", "فاطمه"),  # teh marbuta / heh
    ("أحمد", "احمد"),  # hamza above alif
    ("إبراهيم", "ابراهیم"),  # hamza below alif
    ("آمنه", "امنه"),  # madda
    ("مؤمن", "مومن"),  # hamza on waw
    ("عائشة", "عایشه"),  # hamza on yeh
    ("ہادی", "هادی"),  # Urdu heh goal / heh
]


@pytest.mark.parametrize(("stored", "typed"), VARIANTS)
def test_letter_variants_have_one_key(stored, typed):
    assert exact_key(stored) == exact_key(typed)


@pytest.mark.parametrize(("stored", "typed"), VARIANTS)
def test_letter_variants_find_each_other(crypto_session, stored, typed):
    person = Person(given_name=stored, family_name="Test")
    crypto_session.add(person)
    crypto_session.flush()
    assert person in search(crypto_session, Person, "name", typed)
    assert person in search(crypto_session, Person, "name", stored)


@pytest.mark.parametrize("typed", ["P۱۲۳۴۵۶۷", "p-١٢٣٤٥٦٧", "P 1234567"])
def test_document_numbers_match_in_any_digits(crypto_session, typed):
    person = Person(given_name="Farida", documents=["P-1234 567"])
    crypto_session.add(person)
    crypto_session.flush()
    assert identifier_key(typed) == "P1234567"
    assert search(crypto_session, Person, "document", typed) == [person]


def test_reindex_search_rebuilds_the_entries(app, db_session, client):
    caseworker = make_account(app, db_session, "caseworker")
    sign_in(client, caseworker, db_session)
    case_id = uuid.UUID(case_url(register(client, FARIDA)).rsplit("/", 1)[1])
    person_id = db_session.get(Case, case_id).person_id
    count = select(func.count()).where(BlindIndexEntry.subject_id == person_id)
    before = sorted(
        db_session.execute(
            select(
                BlindIndexEntry.source_column, BlindIndexEntry.field, BlindIndexEntry.value
            ).where(BlindIndexEntry.subject_id == person_id)
        ).all()
    )
    assert before
    assert {field for _, field, _ in before} >= set(pair_fields())  # the name-pair entries too
    db_session.execute(delete(BlindIndexEntry).where(BlindIndexEntry.subject_id == person_id))
    db_session.commit()
    assert db_session.scalar(count) == 0
    result = app.test_cli_runner().invoke(args=["db", "reindex-search", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "search indexes rebuilt" in result.output
    after = sorted(
        db_session.execute(
            select(
                BlindIndexEntry.source_column, BlindIndexEntry.field, BlindIndexEntry.value
            ).where(BlindIndexEntry.subject_id == person_id)
        ).all()
    )
    assert after == before
