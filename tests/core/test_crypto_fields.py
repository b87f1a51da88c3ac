"""Encrypted attributes: round trips, binding to table/column/row, tampering, files."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from core.crypto import (
    CryptoError,
    DataKey,
    IntegrityError,
    SubjectErasedError,
    decrypt_blob,
    encrypt_blob,
    encrypted_column,
)
from core.crypto.keystore import FORMAT_VERSION, HEADER_BYTES, ciphertext_key_id, forget_keys
from tests.core.crypto_models import Document, Person

FIXED = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _person(session, **values):
    values.setdefault("given_name", "Farida")
    person = Person(**values)
    session.add(person)
    session.flush()
    return person


def _reload(session, obj):
    """A fresh copy from the database, with no decrypted value or data key cached."""
    session.flush()
    session.expunge_all()
    forget_keys(session)
    return session.get(type(obj), obj.id)


def test_values_round_trip_through_the_database(crypto_session):
    arrived = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    person = _person(
        crypto_session,
        given_name="Фарида",
        family_name="Rahimova",
        aliases=["فریده", "Farīda"],
        date_of_birth=date(1990, 4, 17),
        documents=["AB 1234567"],
        contact={"phone": "+998 90 123 45 67", "languages": ["uz", "ru"]},
        photo=b"\x89PNG\x00\x01",
        household_size=5,
        arrived_at=arrived,
    )
    loaded = _reload(crypto_session, person)
    assert loaded.given_name == "Фарида"
    assert loaded.family_name == "Rahimova"
    assert loaded.aliases == ["فریده", "Farīda"]
    assert loaded.date_of_birth == date(1990, 4, 17)
    assert loaded.documents == ["AB 1234567"]
    assert loaded.contact == {"phone": "+998 90 123 45 67", "languages": ["uz", "ru"]}
    assert loaded.photo == b"\x89PNG\x00\x01"
    assert loaded.household_size == 5
    assert loaded.arrived_at == arrived


def test_columns_hold_versioned_ciphertext_under_the_subjects_key(crypto_session):
    person = _person(crypto_session, family_name="Rahimova")
    table = Person.__table__
    raw = crypto_session.execute(
        select(table.c.given_name, table.c.family_name).where(table.c.id == person.id)
    ).one()
    data_key = crypto_session.scalars(select(DataKey).where(DataKey.subject_id == person.id)).one()
    for value in raw:
        assert isinstance(value, bytes)
        assert value[0] == FORMAT_VERSION
        assert ciphertext_key_id(value) == data_key.id
        assert b"Farida" not in value and b"Rahimova" not in value
    assert raw[0][HEADER_BYTES : HEADER_BYTES + 12] != raw[1][HEADER_BYTES : HEADER_BYTES + 12]


def test_same_plaintext_encrypts_differently_each_time(crypto_session):
    first = _person(crypto_session, given_name="Amina")
    second = _person(crypto_session, given_name="Amina")
    assert first.given_name_ciphertext != second.given_name_ciphertext


def test_related_rows_use_the_subjects_data_key(crypto_session):
    person = _person(crypto_session)
    document = Document(person_id=person.id, number="P-778899", kind="passport")
    crypto_session.add(document)
    crypto_session.flush()
    assert ciphertext_key_id(document.number_ciphertext) == ciphertext_key_id(
        person.given_name_ciphertext
    )
    assert crypto_session.scalar(select(DataKey.id).where(DataKey.subject_id == person.id))
    assert _reload(crypto_session, document).number == "P-778899"


def test_update_re_encrypts_and_none_clears(crypto_session):
    person = _person(crypto_session, family_name="Rahimova")
    loaded = _reload(crypto_session, person)
    loaded.family_name = "Karimova"
    crypto_session.flush()
    assert _reload(crypto_session, person).family_name == "Karimova"
    loaded = _reload(crypto_session, person)
    loaded.family_name = None
    crypto_session.flush()
    reloaded = _reload(crypto_session, person)
    assert reloaded.family_name is None
    assert reloaded.family_name_ciphertext is None


def test_wrong_types_and_missing_required_values_are_refused(crypto_session):
    person = Person(given_name="Amina")
    with pytest.raises(TypeError, match="date_of_birth takes date"):
        person.date_of_birth = "1990-01-01"
    with pytest.raises(ValueError, match="given_name may not be empty"):
        person.given_name = None
    with pytest.raises(TypeError, match="no codec"):
        encrypted_column(float)


def test_ciphertext_moved_to_another_row_fails_integrity(crypto_session):
    alice = _person(crypto_session, given_name="Alice")
    bob = _person(crypto_session, given_name="Bob")
    crypto_session.execute(
        update(Person)
        .where(Person.id == bob.id)
        .values(given_name_ciphertext=alice.given_name_ciphertext)
    )
    with pytest.raises(IntegrityError, match=r"crypto_test_person\.given_name of row"):
        _ = _reload(crypto_session, bob).given_name


def test_ciphertext_moved_to_another_column_fails_integrity(crypto_session):
    person = _person(crypto_session, given_name="Alice", family_name="Smith")
    crypto_session.execute(
        update(Person)
        .where(Person.id == person.id)
        .values(family_name_ciphertext=person.given_name_ciphertext)
    )
    loaded = _reload(crypto_session, person)
    assert loaded.given_name == "Alice"
    with pytest.raises(IntegrityError, match="integrity check failed"):
        _ = loaded.family_name


def test_ciphertext_moved_to_another_table_fails_integrity(crypto_session):
    person = _person(crypto_session, given_name="Alice")
    document = Document(id=person.id, person_id=person.id, number="X1")
    crypto_session.add(document)
    crypto_session.flush()
    crypto_session.execute(
        update(Document)
        .where(Document.id == person.id)
        .values(number_ciphertext=person.given_name_ciphertext)
    )
    with pytest.raises(IntegrityError):
        _ = _reload(crypto_session, document).number


@pytest.mark.parametrize("position", [0, 1, 16, HEADER_BYTES, HEADER_BYTES + 12, -1])
def test_one_flipped_bit_fails_integrity(crypto_session, position):
    person = _person(crypto_session, given_name="Alice")
    tampered = bytearray(person.given_name_ciphertext)
    tampered[position] ^= 0x01
    crypto_session.execute(
        update(Person).where(Person.id == person.id).values(given_name_ciphertext=bytes(tampered))
    )
    with pytest.raises(IntegrityError):
        _ = _reload(crypto_session, person).given_name


def test_truncated_ciphertext_fails_integrity(crypto_session):
    person = _person(crypto_session, given_name="Alice")
    crypto_session.execute(
        update(Person)
        .where(Person.id == person.id)
        .values(given_name_ciphertext=person.given_name_ciphertext[:20])
    )
    with pytest.raises(IntegrityError, match="truncated"):
        _ = _reload(crypto_session, person).given_name


def test_altered_wrapped_key_fails_loudly(crypto_session):
    person = _person(crypto_session, given_name="Alice")
    row = crypto_session.scalars(select(DataKey).where(DataKey.subject_id == person.id)).one()
    tampered = bytearray(row.wrapped_key)
    tampered[-1] ^= 0x80
    crypto_session.execute(
        update(DataKey).where(DataKey.id == row.id).values(wrapped_key=bytes(tampered))
    )
    with pytest.raises(CryptoError, match="does not unwrap"):
        _ = _reload(crypto_session, person).given_name


def test_detached_objects_cannot_be_decrypted(crypto_session):
    person = _reload(crypto_session, _person(crypto_session))
    assert person.given_name_ciphertext is not None
    crypto_session.expunge(person)
    with pytest.raises(CryptoError, match="in a session"):
        _ = person.given_name


def test_model_without_subject_is_refused(crypto_session):
    document = Document(number="X1")
    crypto_session.add(document)
    with pytest.raises(CryptoError, match="no subject id"):
        crypto_session.flush()
    crypto_session.rollback()


def test_rollback_forgets_unsaved_plaintext_and_new_keys(crypto_session):
    person = _person(crypto_session, given_name="Alice")
    crypto_session.commit()
    person.given_name = "Mallory"
    crypto_session.rollback()
    assert person.given_name == "Alice"
    assert "homeward_data_keys" not in crypto_session.info


def test_files_are_sealed_before_storage_and_bound_to_their_id(crypto_session):
    subject = uuid.uuid4()
    blob_id = uuid.uuid4()
    scan = b"%PDF-1.7 passport scan of Farida Rahimova" * 50
    sealed = encrypt_blob(crypto_session, subject, "attachment", blob_id, scan)
    assert b"Farida" not in sealed and len(sealed) == len(scan) + HEADER_BYTES + 28
    assert decrypt_blob(crypto_session, "attachment", blob_id, sealed) == scan
    with pytest.raises(IntegrityError):
        decrypt_blob(crypto_session, "attachment", uuid.uuid4(), sealed)
    with pytest.raises(IntegrityError):
        decrypt_blob(crypto_session, "photo", blob_id, sealed)


def test_nothing_new_is_written_for_an_erased_subject(crypto_session):
    from core.crypto import erase_subject

    person = _person(crypto_session, given_name="Alice")
    erase_subject(crypto_session, person.id)
    with pytest.raises(SubjectErasedError):
        encrypt_blob(crypto_session, person.id, "attachment", uuid.uuid4(), b"x")


@FIXED
@given(text=st.text(max_size=300))
def test_any_unicode_text_round_trips(crypto_session, text):
    person = _person(crypto_session, given_name=text, family_name=text[::-1])
    loaded = _reload(crypto_session, person)
    assert loaded.given_name == text
    assert loaded.family_name == text[::-1]


@FIXED
@given(day=st.dates(), moment=st.datetimes(timezones=st.just(UTC)))
def test_any_date_round_trips(crypto_session, day, moment):
    person = _person(crypto_session, date_of_birth=day, arrived_at=moment)
    loaded = _reload(crypto_session, person)
    assert loaded.date_of_birth == day
    assert loaded.arrived_at == moment


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


@FIXED
@given(
    items=st.lists(JSON, max_size=6),
    mapping=st.dictionaries(st.text(max_size=12), JSON, max_size=6),
    blob=st.binary(max_size=500),
)
def test_any_structured_value_and_bytes_round_trip(crypto_session, items, mapping, blob):
    person = _person(crypto_session, contact=mapping, photo=blob)
    person.aliases = [str(i) for i in items]
    crypto_session.flush()
    loaded = _reload(crypto_session, person)
    assert loaded.contact == mapping
    assert loaded.photo == blob
    assert loaded.aliases == [str(i) for i in items]
