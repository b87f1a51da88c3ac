"""Field-level encryption for Homeward: the one place that handles personal-data crypto.

Public API (nothing else in the code base calls cryptographic primitives):

- :func:`encrypted_column` declares an encrypted model attribute (text, dates, numbers,
  lists and small JSON, bytes); the model names its subject with ``__encryption_subject__``;
- :func:`encrypt_blob` / :func:`decrypt_blob` seal files before they reach disk or database;
- :func:`search` finds rows through blind indexes and shows only confirmed matches;
  :func:`search_any` finds rows matching any of several values (every day of a year);
  (:func:`candidate_subjects` and :func:`match_rank` are its two halves);
- :func:`preload_keys` unwraps the data keys of many subjects in one query, before a list
  decrypts their names (search results, the Today page);
- :func:`erase_subject` crypto-shreds a subject; :func:`register_skeleton_hook` lets a domain
  keep a non-identifying statistical skeleton first;
- rotation lives in ``homeward keys`` (:mod:`core.crypto.commands`).

See ``docs/crypto.md`` for formats, the blind-index plan and the operator's routine.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.config import ConfigError, app_settings
from core.crypto.blind_index import (
    BlindIndex,
    candidate_subjects,
    get_blind_index,
    match_rank,
)
from core.crypto.erasure import erase_subject, register_skeleton_hook, unregister_skeleton_hook
from core.crypto.errors import (
    CryptoError,
    IntegrityError,
    MasterKeyError,
    SearchTooBroadError,
    SubjectErasedError,
    UnknownBlindIndexError,
)
from core.crypto.fields import (
    EncryptedAttribute,
    ciphertext_columns,
    encrypted_attributes,
    encrypted_column,
)
from core.crypto.keyring import (
    EXTENSION_KEY,
    Crypto,
    bind_crypto,
    configured_crypto,
    get_crypto,
    verify_master_keys,
)
from core.crypto.keystore import Binding, decrypt_bytes, encrypt_bytes, preload_keys
from core.crypto.models import BlindIndexEntry, DataKey
from core.crypto.search import search, search_any
from core.db import READ_ONLY
from core.keys import KeyRing, provider_for

log = logging.getLogger(__name__)

BLOB_TABLE = "blob"


def encrypt_blob(
    session: Session, subject_id: uuid.UUID, purpose: str, blob_id: uuid.UUID, data: bytes
) -> bytes:
    """Encrypt a file's bytes under the subject's key, bound to (purpose, blob id).

    Store the result on disk or in the database; only :func:`decrypt_blob` with the same
    purpose and id opens it.
    """
    return encrypt_bytes(session, subject_id, Binding(BLOB_TABLE, purpose, blob_id), data)


def decrypt_blob(session: Session, purpose: str, blob_id: uuid.UUID, sealed: bytes) -> bytes:
    """Open a file sealed by :func:`encrypt_blob`; raises IntegrityError or SubjectErasedError."""
    return decrypt_bytes(session, Binding(BLOB_TABLE, purpose, blob_id), sealed)


def init_app(app: Flask, ring: KeyRing) -> None:
    """Make the crypto layer available and refuse to start when the master key is wrong.

    Raises ConfigError (one line) when the key material misses a master version that data
    keys use, or a version does not unwrap its data keys. An unreachable database is left
    to the health check.
    """
    crypto = Crypto(ring, provider_for(app_settings(app).KEY_FILE))
    app.extensions[EXTENSION_KEY] = crypto
    database = app.extensions["homeward_db"]
    try:
        with database.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            verify_master_keys(connection, crypto)
    except MasterKeyError as exc:
        raise ConfigError(f"refusing to start: {exc}") from exc
    except OperationalError:
        log.warning("could not reach the database to verify the master keys at start-up")


__all__ = [
    "Binding",
    "BlindIndex",
    "BlindIndexEntry",
    "Crypto",
    "CryptoError",
    "DataKey",
    "EncryptedAttribute",
    "IntegrityError",
    "MasterKeyError",
    "SearchTooBroadError",
    "SubjectErasedError",
    "UnknownBlindIndexError",
    "bind_crypto",
    "candidate_subjects",
    "ciphertext_columns",
    "configured_crypto",
    "decrypt_blob",
    "encrypt_blob",
    "encrypted_attributes",
    "encrypted_column",
    "erase_subject",
    "get_blind_index",
    "get_crypto",
    "init_app",
    "match_rank",
    "preload_keys",
    "register_skeleton_hook",
    "search",
    "search_any",
    "unregister_skeleton_hook",
]
