"""Data keys per subject, and the value format: encrypt and decrypt bytes bound to a place.

Ciphertext layout (format version 1)::

    0x01 | data key id (16 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)

The associated data is the 17-byte header followed by the length-prefixed table name,
column name and row id, so a value copied to another row or column fails authentication.
Unwrapped data keys are cached in ``session.info`` for the life of the session (one request,
one CLI job) and dropped on rollback.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.crypto import primitives
from core.crypto.errors import IntegrityError, SubjectErasedError
from core.crypto.keyring import get_crypto
from core.crypto.models import DataKey

FORMAT_VERSION = 1
HEADER_BYTES = 17
CACHE_KEY = "homeward_data_keys"
FIELD_CONTEXT = b"homeward/field/v1"


@dataclass(frozen=True)
class Binding:
    """Where a ciphertext belongs: it decrypts only with the same table, column and row id."""

    table: str
    column: str
    row_id: uuid.UUID

    def describe(self) -> str:
        return f"{self.table}.{self.column} of row {self.row_id}"


@dataclass
class KeyCache:
    """Unwrapped data keys of one session: by data key id, and subject -> data key id."""

    by_id: dict[uuid.UUID, bytes] = field(default_factory=dict)
    by_subject: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    def put(self, row: DataKey, key: bytes) -> None:
        self.put_ids(row.id, row.subject_id, key)

    def put_ids(self, data_key_id: uuid.UUID, subject_id: uuid.UUID, key: bytes) -> None:
        self.by_id[data_key_id] = key
        self.by_subject[subject_id] = data_key_id


def key_cache(session: Session) -> KeyCache:
    """This session's cache of unwrapped data keys."""
    cache = session.info.get(CACHE_KEY)
    if cache is None:
        cache = session.info[CACHE_KEY] = KeyCache()
    assert isinstance(cache, KeyCache)
    return cache


def forget_keys(session: Session) -> None:
    """Drop every cached data key of the session (on rollback, after erasure)."""
    session.info.pop(CACHE_KEY, None)


def _erased(subject_id: uuid.UUID) -> SubjectErasedError:
    return SubjectErasedError(f"subject {subject_id} was erased; their data key is destroyed")


def subject_key(session: Session, subject_id: uuid.UUID) -> tuple[uuid.UUID, bytes]:
    """The data key of a subject, created (and added to the session) on first use.

    Raises SubjectErasedError for an erased subject: nothing new is written for them.
    """
    cache = key_cache(session)
    key_id = cache.by_subject.get(subject_id)
    if key_id is not None:
        return key_id, cache.by_id[key_id]
    with session.no_autoflush:
        row = session.scalars(select(DataKey).where(DataKey.subject_id == subject_id)).first()
    crypto = get_crypto(session)
    if row is None:
        row = DataKey(id=uuid.uuid4(), subject_id=subject_id, created_at=utcnow())
        key = primitives.random_key()
        row.master_version, row.wrapped_key = crypto.wrap(row.id, subject_id, key)
        session.add(row)
    elif row.destroyed_at is not None:
        raise _erased(subject_id)
    else:
        key = crypto.unwrap(row)
    cache.put(row, key)
    return row.id, key


def preload_keys(session: Session, subject_ids: Iterable[uuid.UUID]) -> None:
    """Unwrap the live data keys of many subjects with one query (lists, search results).

    The keys are read as plain columns, not as ORM objects: a page of fifty rows spent more
    on making fifty objects it never used again than on unwrapping the keys."""
    cache = key_cache(session)
    # A key changed in this session and not yet written (being destroyed by an erasure) is
    # left to the single read, which sees the change; the database still holds the old key.
    changed = {o.subject_id for o in (*session.dirty, *session.deleted) if isinstance(o, DataKey)}
    wanted = [s for s in subject_ids if s not in cache.by_subject and s not in changed]
    if not wanted:
        return
    crypto = get_crypto(session)
    with session.no_autoflush:
        rows = session.execute(
            select(
                DataKey.id, DataKey.subject_id, DataKey.master_version, DataKey.wrapped_key
            ).where(DataKey.subject_id.in_(wanted), DataKey.destroyed_at.is_(None))
        ).all()
    for key_id, subject_id, version, wrapped in rows:
        cache.put_ids(key_id, subject_id, crypto.unwrap_parts(key_id, subject_id, version, wrapped))


def key_by_id(session: Session, data_key_id: uuid.UUID) -> bytes:
    """The plain data key with this id; raises SubjectErasedError when it was destroyed."""
    cache = key_cache(session)
    key = cache.by_id.get(data_key_id)
    if key is not None:
        return key
    with session.no_autoflush:
        row = session.get(DataKey, data_key_id)
    if row is None:
        raise IntegrityError(f"data key {data_key_id} does not exist")
    if row.destroyed_at is not None:
        raise _erased(row.subject_id)
    key = get_crypto(session).unwrap(row)
    cache.put(row, key)
    return key


def _associated_data(header: bytes, binding: Binding) -> bytes:
    parts = [FIELD_CONTEXT, binding.table.encode(), binding.column.encode(), binding.row_id.bytes]
    return header + b"".join(len(p).to_bytes(2, "big") + p for p in parts)


def encrypt_bytes(
    session: Session, subject_id: uuid.UUID, binding: Binding, plaintext: bytes
) -> bytes:
    """Encrypt ``plaintext`` under the subject's data key, bound to ``binding``."""
    key_id, key = subject_key(session, subject_id)
    header = bytes([FORMAT_VERSION]) + key_id.bytes
    return header + primitives.seal(key, plaintext, _associated_data(header, binding))


def decrypt_bytes(session: Session, binding: Binding, ciphertext: bytes) -> bytes:
    """Decrypt a value from :func:`encrypt_bytes`.

    Raises IntegrityError when it was altered or belongs elsewhere, SubjectErasedError when
    its data key was destroyed, MasterKeyError when the master key is missing or wrong.
    """
    if len(ciphertext) < HEADER_BYTES or ciphertext[0] != FORMAT_VERSION:
        raise IntegrityError(f"{binding.describe()}: unknown ciphertext format")
    header = ciphertext[:HEADER_BYTES]
    key = key_by_id(session, uuid.UUID(bytes=header[1:]))
    return primitives.open_sealed(
        key, ciphertext[HEADER_BYTES:], _associated_data(header, binding), binding.describe()
    )


def ciphertext_key_id(ciphertext: bytes) -> uuid.UUID:
    """The data key id a ciphertext names (for diagnostics and tests)."""
    if len(ciphertext) < HEADER_BYTES or ciphertext[0] != FORMAT_VERSION:
        raise IntegrityError("unknown ciphertext format")
    return uuid.UUID(bytes=ciphertext[1:HEADER_BYTES])
