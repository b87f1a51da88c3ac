"""``preload_keys``: many people's data keys in one statement, read as plain columns."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from core.clock import utcnow
from core.crypto import CryptoError, DataKey, SubjectErasedError, erase_subject, preload_keys
from core.crypto.keystore import forget_keys, key_cache
from tests.core.crypto_models import Person


def _people(session, names):
    people = [Person(given_name=name) for name in names]
    session.add_all(people)
    session.flush()
    ids = [p.id for p in people]
    session.expunge_all()
    forget_keys(session)
    return ids


def _statements(session):
    seen: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_many_keys_in_one_statement_and_then_no_more(crypto_session):
    names = ["Farida", "Зарина", "فریده", "Amina", "Leyla"]
    ids = _people(crypto_session, names)
    loaded = crypto_session.scalars(select(Person).where(Person.id.in_(ids))).all()
    seen = _statements(crypto_session)
    preload_keys(crypto_session, ids)
    assert len(seen) == 1 and "data_key" in seen[0]
    # Only what unwrapping needs, as plain values: no ORM object is made for a key.
    columns = seen[0].split("FROM")[0]
    assert "wrapped_key" in columns and "created_at" not in columns, seen[0]
    assert sorted(p.given_name for p in loaded) == sorted(names)
    assert len(seen) == 1  # every name decrypted with the keys already unwrapped
    preload_keys(crypto_session, ids)
    assert len(seen) == 1  # kept keys are not read again


def test_an_altered_wrapped_key_fails_loudly(crypto_session):
    (person_id,) = _people(crypto_session, ["Alice"])
    row = crypto_session.scalars(select(DataKey).where(DataKey.subject_id == person_id)).one()
    tampered = bytearray(row.wrapped_key)
    tampered[0] ^= 0x01
    crypto_session.execute(
        update(DataKey).where(DataKey.id == row.id).values(wrapped_key=bytes(tampered))
    )
    crypto_session.expunge_all()
    with pytest.raises(CryptoError, match="does not unwrap"):
        preload_keys(crypto_session, [person_id])
    assert person_id not in key_cache(crypto_session).by_subject


def test_an_erased_persons_key_is_not_unwrapped(crypto_session):
    kept, erased = _people(crypto_session, ["Kept", "Erased"])
    erase_subject(crypto_session, erased)
    crypto_session.flush()
    forget_keys(crypto_session)
    preload_keys(crypto_session, [kept, erased])
    assert set(key_cache(crypto_session).by_subject) == {kept}
    with pytest.raises(SubjectErasedError):
        _ = crypto_session.get(Person, erased).given_name


def test_a_key_being_destroyed_in_the_session_is_not_read_from_the_database(crypto_session):
    """An erasure destroys the key in the session before it flushes: the database still holds
    the live key then, and a list read in that window must not unwrap it."""
    (person_id,) = _people(crypto_session, ["Alice"])
    row = crypto_session.scalars(select(DataKey).where(DataKey.subject_id == person_id)).one()
    row.wrapped_key = bytes(len(row.wrapped_key))
    row.destroyed_at = utcnow()
    preload_keys(crypto_session, [person_id])
    assert person_id not in key_cache(crypto_session).by_subject
