"""Crypto-shredding: after erasure nothing of the subject decrypts or is found."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.crypto import (
    BlindIndexEntry,
    DataKey,
    SubjectErasedError,
    candidate_subjects,
    erase_subject,
    register_skeleton_hook,
    search,
    unregister_skeleton_hook,
)
from core.crypto.keystore import forget_keys
from core.signals import subject_erased
from tests.core.crypto_models import Document, Person, Statistic


@pytest.fixture
def farida(crypto_session):
    person = Person(
        given_name="Farida",
        family_name="Rahimova",
        sex="female",
        date_of_birth=date(1990, 4, 17),
        documents=["AB1234567"],
    )
    crypto_session.add(person)
    crypto_session.flush()
    crypto_session.add(Document(person_id=person.id, number="P-778899", kind="passport"))
    crypto_session.flush()
    return person


def _keep_birth_year_and_sex(session, subject_id):
    person = session.get(Person, subject_id)
    session.add(Statistic(birth_year=person.date_of_birth.year, sex=person.sex))


@pytest.fixture
def skeleton_hook():
    register_skeleton_hook(_keep_birth_year_and_sex)
    yield _keep_birth_year_and_sex
    unregister_skeleton_hook(_keep_birth_year_and_sex)


def test_after_erasure_no_field_decrypts(crypto_session, farida):
    assert erase_subject(crypto_session, farida.id) is True
    crypto_session.expunge_all()
    forget_keys(crypto_session)
    person = crypto_session.get(Person, farida.id)
    for attribute in ["given_name", "family_name", "date_of_birth", "documents"]:
        with pytest.raises(SubjectErasedError, match="erased"):
            getattr(person, attribute)
    document = crypto_session.scalars(select(Document)).one()
    with pytest.raises(SubjectErasedError):
        _ = document.number


def test_erasure_destroys_the_wrapped_key_and_every_index_entry(crypto_session, farida):
    erase_subject(crypto_session, farida.id)
    row = crypto_session.scalars(select(DataKey).where(DataKey.subject_id == farida.id)).one()
    assert row.destroyed_at is not None
    assert set(row.wrapped_key) == {0}
    entries = crypto_session.scalar(
        select(func.count()).where(BlindIndexEntry.subject_id == farida.id)
    )
    assert entries == 0
    assert candidate_subjects(crypto_session, "name", "Farida Rahimova") == set()
    assert search(crypto_session, Person, "name", "Farida") == []
    assert search(crypto_session, Person, "document", "AB1234567") == []
    assert search(crypto_session, Document, "document", "P778899") == []


def test_other_subjects_are_untouched(crypto_session, farida):
    other = Person(given_name="Farida", family_name="Karimova")
    crypto_session.add(other)
    crypto_session.flush()
    erase_subject(crypto_session, farida.id)
    assert search(crypto_session, Person, "name", "Farida") == [other]
    crypto_session.expunge_all()
    forget_keys(crypto_session)
    assert crypto_session.get(Person, other.id).family_name == "Karimova"


def test_skeleton_hook_keeps_non_identifying_statistics(crypto_session, farida, skeleton_hook):
    erase_subject(crypto_session, farida.id)
    kept = crypto_session.scalars(select(Statistic)).one()
    assert (kept.birth_year, kept.sex) == (1990, "female")


def test_erasure_is_announced_and_idempotent(crypto_session, farida):
    heard = []

    def listener(_sender, session, subject_id):
        heard.append(subject_id)

    subject_erased.connect(listener)
    try:
        erase_subject(crypto_session, farida.id)
        erase_subject(crypto_session, farida.id)
    finally:
        subject_erased.disconnect(listener)
    assert heard == [farida.id, farida.id]
    assert crypto_session.scalar(select(func.count()).select_from(DataKey)) >= 1


def test_erasing_a_subject_without_data_key_reports_it(crypto_session):
    import uuid

    assert erase_subject(crypto_session, uuid.uuid4()) is False
