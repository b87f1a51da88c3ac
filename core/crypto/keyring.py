"""The loaded key material in use: wraps and unwraps data keys, derives blind-index keys.

A :class:`Crypto` lives at ``app.extensions["homeward_crypto"]``; code outside a Flask app
(benchmarks, scripts) binds one to a session with :func:`bind_crypto`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from flask import current_app, has_app_context
from sqlalchemy import Connection, inspect, select
from sqlalchemy.orm import Session

from core.config import Settings
from core.crypto import primitives
from core.crypto.errors import CryptoError, IntegrityError, MasterKeyError
from core.crypto.models import DataKey
from core.keys import KeyError_, KeyProvider, KeyRing, provider_for

SESSION_KEY = "homeward_crypto"
EXTENSION_KEY = "homeward_crypto"
WRAP_CONTEXT = b"homeward/data-key/v1"
INDEX_CONTEXT = b"homeward/blind-index/v1/"


def _wrap_ad(data_key_id: uuid.UUID, subject_id: uuid.UUID, version: str) -> bytes:
    return b"|".join([WRAP_CONTEXT, data_key_id.bytes, subject_id.bytes, version.encode()])


class Crypto:
    """Master keys and index keys of one deployment, with a provider to reload them from."""

    def __init__(self, ring: KeyRing, provider: KeyProvider | None = None) -> None:
        self.ring = ring
        self.provider = provider
        self._index_keys: dict[str, bytes] = {}

    def replace_ring(self, ring: KeyRing) -> None:
        """Use new key material (after rotation); index keys stay since the root is unchanged."""
        if ring.index_root_key != self.ring.index_root_key:
            self._index_keys.clear()
        self.ring = ring

    def master_key(self, version: str) -> bytes:
        """The master key ``version``; reloads once from the provider when another process
        rotated keys. Raises MasterKeyError when the version is not in the key material."""
        key = self.ring.master_keys.get(version)
        if key is None and self.provider is not None:
            self.replace_ring(self.provider.load())
            key = self.ring.master_keys.get(version)
        if key is None:
            raise MasterKeyError(
                f"master key version {version!r} is not in the key material "
                f"(versions present: {', '.join(sorted(self.ring.master_keys))})"
            )
        return key

    def wrap(self, data_key_id: uuid.UUID, subject_id: uuid.UUID, key: bytes) -> tuple[str, bytes]:
        """Wrap a data key with the active master key; returns (version, wrapped bytes)."""
        version = self.ring.active
        ad = _wrap_ad(data_key_id, subject_id, version)
        return version, primitives.seal(self.master_key(version), key, ad)

    def unwrap(self, row: DataKey) -> bytes:
        """The plain data key of ``row``; raises MasterKeyError when the master key is wrong."""
        return self.unwrap_parts(row.id, row.subject_id, row.master_version, row.wrapped_key)

    def unwrap_parts(
        self, data_key_id: uuid.UUID, subject_id: uuid.UUID, version: str, wrapped: bytes
    ) -> bytes:
        """:meth:`unwrap` of a data key read as plain columns (lists read many at once)."""
        ad = _wrap_ad(data_key_id, subject_id, version)
        try:
            return primitives.open_sealed(self.master_key(version), wrapped, ad, "data key")
        except IntegrityError as exc:
            raise MasterKeyError(
                f"master key version {version!r} does not unwrap data key {data_key_id}: "
                "wrong key material for this database, or the wrapped key was altered"
            ) from exc

    def index_key(self, field: str) -> bytes:
        """The HMAC key of one blind index field, derived by HKDF from the index root key."""
        key = self._index_keys.get(field)
        if key is None:
            key = primitives.derive_key(self.ring.index_root_key, INDEX_CONTEXT + field.encode())
            self._index_keys[field] = key
        return key


def bind_crypto(session: Session, crypto: Crypto) -> None:
    """Use ``crypto`` for this session (outside a Flask app: scripts, benchmarks)."""
    session.info[SESSION_KEY] = crypto


def get_crypto(session: Session) -> Crypto:
    """The Crypto bound to the session, else the current app's."""
    crypto = session.info.get(SESSION_KEY)
    if crypto is None and has_app_context():
        crypto = current_app.extensions.get(EXTENSION_KEY)
    if crypto is None:
        raise CryptoError("no key material: run inside the app or call bind_crypto(session, …)")
    assert isinstance(crypto, Crypto)
    return crypto


def configured_crypto() -> Crypto:
    """The key material as the app loads it: the running app's, else the configured provider's.

    For code that may run outside the app (migrations run by plain ``alembic``, scripts).
    Raises CryptoError with a one-line reason when no key material can be loaded.
    """
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        crypto = current_app.extensions[EXTENSION_KEY]
        assert isinstance(crypto, Crypto)
        return crypto
    provider = provider_for(Settings.from_env().KEY_FILE)
    try:
        return Crypto(provider.load(), provider)
    except KeyError_ as exc:
        raise CryptoError(f"no key material ({provider.describe()}): {exc}") from exc


def next_version(ring: KeyRing) -> KeyRing:
    """A copy of ``ring`` with a fresh master key as a new, active version."""
    taken = [int(v) for v in ring.master_keys if v.isdigit()] + [
        int(v) for v in ring.retired if v.isdigit()
    ]
    version = str(max(taken, default=0) + 1)
    masters = {**ring.master_keys, version: primitives.random_key()}
    return replace(ring, active=version, master_keys=masters)


def verify_master_keys(connection: Connection, crypto: Crypto) -> None:
    """Check that the key material unwraps a data key of every master version in use.

    Raises MasterKeyError (one line) on a missing or wrong master key; does nothing on a
    database without the ``data_key`` table (not migrated yet).
    """
    if not inspect(connection).has_table(DataKey.__tablename__):
        return
    live = DataKey.destroyed_at.is_(None)
    versions = connection.scalars(select(DataKey.master_version).where(live).distinct()).all()
    for version in versions:
        if version not in crypto.ring.master_keys:
            raise MasterKeyError(
                f"data keys are wrapped by master key version {version!r}, "
                "which the key material does not hold"
            )
        row = connection.execute(
            select(DataKey.id, DataKey.subject_id, DataKey.wrapped_key)
            .where(live, DataKey.master_version == version)
            .limit(1)
        ).one()
        canary = DataKey(
            id=row.id,
            subject_id=row.subject_id,
            wrapped_key=row.wrapped_key,
            master_version=version,
        )
        crypto.unwrap(canary)
