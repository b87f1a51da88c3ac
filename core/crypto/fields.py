"""Encrypted model attributes: ``given_name = encrypted_column(str, blind_index="name")``.

The attribute reads and writes plaintext. The database column of the same name is
``LargeBinary`` and holds ciphertext bound to table, column and row id. A model says whose
data key protects it with ``__encryption_subject__`` (the attribute holding the subject's
id, e.g. ``"id"`` for a person, ``"person_id"`` for a person's document) and which attribute
is its row id with ``__encryption_row_id__`` (default ``"id"``; a UUID, given one at flush
when still empty).

Encryption happens at flush (``before_flush``), when the session can fetch or create the
subject's data key; blind-index entries are replaced in the same flush. Decryption happens
on first read and is cached on the instance until the ciphertext changes. Mutating a
returned list or dict in place is not seen: assign a new value.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar, overload

from sqlalchemy import LargeBinary, event, inspect, select
from sqlalchemy.orm import Mapper, Session, mapped_column, object_session
from sqlalchemy.orm.attributes import flag_dirty

from core.crypto import blind_index as blind
from core.crypto import name_pairs
from core.crypto.errors import CryptoError
from core.crypto.keystore import Binding, decrypt_bytes, encrypt_bytes, forget_keys

T = TypeVar("T")

PENDING = "_homeward_plain_pending"
DECRYPTED = "_homeward_plain_cache"
REGISTRY = "__homeward_encrypted__"


@dataclass(frozen=True)
class Codec(Generic[T]):
    """Turns one plaintext type into bytes and back."""

    python_types: tuple[type, ...]
    encode: Any
    decode: Any


def _json_encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


CODECS: dict[type, Codec[Any]] = {
    str: Codec((str,), lambda v: v.encode("utf-8"), lambda b: b.decode("utf-8")),
    bytes: Codec((bytes, bytearray), bytes, bytes),
    date: Codec(
        (date,), lambda v: v.isoformat().encode(), lambda b: date.fromisoformat(b.decode())
    ),
    datetime: Codec(
        (datetime,),
        lambda v: v.isoformat().encode(),
        lambda b: datetime.fromisoformat(b.decode()),
    ),
    int: Codec((int,), lambda v: str(v).encode(), lambda b: int(b.decode())),
    list: Codec((list, tuple), _json_encode, lambda b: json.loads(b)),
    dict: Codec((dict,), _json_encode, lambda b: json.loads(b)),
}


class EncryptedAttribute(Generic[T]):
    """The descriptor made by :func:`encrypted_column`; see the module docstring."""

    def __init__(self, kind: type, nullable: bool, blind_index: str | None) -> None:
        if kind not in CODECS:
            raise TypeError(
                f"no codec for {kind!r}; use one of {sorted(t.__name__ for t in CODECS)}"
            )
        if blind_index is not None:
            blind.get_blind_index(blind_index)
        self.kind = kind
        self.codec = CODECS[kind]
        self.nullable = nullable
        self.blind_index = blind_index
        self.name = ""
        self.storage = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.storage = f"{name}_ciphertext"
        setattr(owner, self.storage, mapped_column(name, LargeBinary, nullable=self.nullable))
        own = dict(owner.__dict__.get(REGISTRY, {}))
        own[name] = self
        setattr(owner, REGISTRY, own)

    @overload
    def __get__(self, obj: None, owner: type) -> EncryptedAttribute[T]: ...

    @overload
    def __get__(self, obj: object, owner: type) -> T: ...

    def __get__(self, obj: object | None, owner: type) -> Any:
        if obj is None:
            return self
        pending = obj.__dict__.get(PENDING)
        if pending and self.name in pending:
            return pending[self.name]
        ciphertext = getattr(obj, self.storage)
        if ciphertext is None:
            return None
        cache: dict[str, tuple[bytes, Any]] = obj.__dict__.setdefault(DECRYPTED, {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] == ciphertext:
            return hit[1]
        session = object_session(obj)
        if session is None:
            raise CryptoError(f"{self.name}: load the object in a session to decrypt it")
        plain = self.codec.decode(decrypt_bytes(session, binding(obj, self), ciphertext))
        cache[self.name] = (ciphertext, plain)
        return plain

    def __set__(self, obj: object, value: T) -> None:
        if value is None and not self.nullable:
            raise ValueError(f"{self.name} may not be empty")
        if value is not None and not isinstance(value, self.codec.python_types):
            raise TypeError(f"{self.name} takes {self.kind.__name__}, not {type(value).__name__}")
        obj.__dict__.setdefault(PENDING, {})[self.name] = value
        if "_sa_instance_state" in obj.__dict__:
            flag_dirty(obj)


@overload
def encrypted_column(
    kind: type[T], *, nullable: Literal[False], blind_index: str | None = None
) -> EncryptedAttribute[T]: ...


@overload
def encrypted_column(
    kind: type[T], *, nullable: Literal[True] = True, blind_index: str | None = None
) -> EncryptedAttribute[T | None]: ...


def encrypted_column(
    kind: type[T], *, nullable: bool = True, blind_index: str | None = None
) -> EncryptedAttribute[Any]:
    """Declare an encrypted attribute of type str, bytes, date, datetime, int, list or dict.

    ``blind_index`` names a registered index (``name``, ``date_of_birth``, ``document``,
    ``case_number``) that this value feeds, so it can be searched.
    """
    return EncryptedAttribute(kind, nullable, blind_index)


def encrypted_attributes(model: type) -> dict[str, EncryptedAttribute[Any]]:
    """Every encrypted attribute of a model class, including inherited ones."""
    found: dict[str, EncryptedAttribute[Any]] = {}
    for klass in reversed(model.__mro__):
        found.update(klass.__dict__.get(REGISTRY, {}))
    return found


def ciphertext_columns(model: type, *names: str) -> list[Any]:
    """The mapped ciphertext columns of these encrypted attributes of ``model`` (for loader
    options such as ``load_only``, which take mapped attributes, not the plaintext ones)."""
    attributes = encrypted_attributes(model)
    mapper: Mapper[Any] = inspect(model)
    return [mapper.attrs[attributes[name].storage].class_attribute for name in names]


def _table_name(obj: object) -> str:
    table = getattr(type(obj), "__table__", None)
    if table is None:
        raise CryptoError(f"{type(obj).__name__} is not a mapped table")
    return str(table.name)


def row_id(obj: object) -> uuid.UUID:
    """The row id that ciphertexts of ``obj`` are bound to (assigned if still empty)."""
    attr = getattr(type(obj), "__encryption_row_id__", "id")
    value = getattr(obj, attr)
    if value is None:
        value = uuid.uuid4()
        setattr(obj, attr, value)
    if not isinstance(value, uuid.UUID):
        raise CryptoError(f"{type(obj).__name__}.{attr} must be a UUID to bind ciphertexts")
    return value


def subject_id(obj: object) -> uuid.UUID:
    """The id of the subject whose data key protects ``obj``."""
    attr = getattr(type(obj), "__encryption_subject__", None)
    if attr is None:
        raise CryptoError(f"{type(obj).__name__} does not declare __encryption_subject__")
    row_id(obj)
    value = getattr(obj, attr)
    if not isinstance(value, uuid.UUID):
        raise CryptoError(f"{type(obj).__name__}.{attr} holds no subject id to encrypt under")
    return value


def binding(obj: object, attribute: EncryptedAttribute[Any]) -> Binding:
    """Where a value of ``attribute`` on ``obj`` belongs (table, column, row id)."""
    return Binding(_table_name(obj), attribute.name, row_id(obj))


def _encrypt_pending(
    session: Session, obj: object, is_new: bool, index_rows: list[dict[str, Any]]
) -> None:
    pending: dict[str, Any] = obj.__dict__.pop(PENDING)
    attributes = encrypted_attributes(type(obj))
    subject = subject_id(obj)
    cache: dict[str, tuple[bytes, Any]] = obj.__dict__.setdefault(DECRYPTED, {})
    for name, value in pending.items():
        attribute = attributes[name]
        place = binding(obj, attribute)
        ciphertext = (
            None
            if value is None
            else encrypt_bytes(session, subject, place, attribute.codec.encode(value))
        )
        setattr(obj, attribute.storage, ciphertext)
        if ciphertext is not None:
            cache[name] = (ciphertext, value)
        if attribute.blind_index is not None:
            source = f"{place.table}.{place.column}"
            if not is_new:
                blind.remove_entries(session, place.row_id, source)
            index_rows += blind.entry_rows(
                session, attribute.blind_index, subject, place.row_id, source, value
            )
    index_rows += _pair_rows(session, obj, pending, is_new)


def _pair_rows(
    session: Session, obj: object, pending: dict[str, Any], is_new: bool
) -> list[dict[str, Any]]:
    """The name-pair entries of ``obj`` when a value it feeds to the name index changed: pairs
    span all its name values, so the unchanged ones are read (decrypted) too."""
    named = [
        a.name
        for a in encrypted_attributes(type(obj)).values()
        if a.blind_index == name_pairs.PAIRED_INDEX
    ]
    if not any(name in pending for name in named):
        return []
    values = [pending[name] if name in pending else getattr(obj, name) for name in named]
    return name_pairs.pair_rows(
        session, subject_id(obj), row_id(obj), _table_name(obj), values, replace=not is_new
    )


def _lock_indexed_rows(session: Session, objects: list[object]) -> None:
    """Lock the rows of ``objects`` whose indexed values change, before their entries are
    touched (PostgreSQL; on SQLite the flush's first write, deleting the entries, takes the one
    write lock, :mod:`core.sqlite_writer`).

    Their old entries are deleted and new ones inserted before the row's own UPDATE in the
    flush: without the lock first, a concurrent rebuild of the same row
    (:func:`core.crypto.reindex.reindex_batch`, which locks its rows too) could write the old
    values' entries back after this edit deleted them, and two edits could each keep
    entries of their own value. With it, the second waits for the first to commit and then
    replaces what it wrote."""
    if session.get_bind().dialect.name != "postgresql":
        return
    by_class: dict[type, list[Any]] = {}
    for obj in objects:
        attributes = encrypted_attributes(type(obj))
        pending = obj.__dict__.get(PENDING) or {}
        if any(attributes[name].blind_index for name in pending):
            by_class.setdefault(type(obj), []).append(inspect(obj).identity)
    for model, identities in by_class.items():
        key: Any = inspect(model).primary_key[0]
        ids = sorted(identity[0] for identity in identities if identity)
        session.execute(
            select(key).where(key.in_(ids)).order_by(key).with_for_update(key_share=True)
        )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    index_rows: list[dict[str, Any]] = []
    for obj in list(session.new):
        if obj.__dict__.get(PENDING):
            _encrypt_pending(session, obj, True, index_rows)
    changed = [obj for obj in list(session.dirty) if obj.__dict__.get(PENDING)]
    _lock_indexed_rows(session, changed)
    for obj in changed:
        _encrypt_pending(session, obj, False, index_rows)
    for obj in list(session.deleted):
        if any(a.blind_index for a in encrypted_attributes(type(obj)).values()):
            blind.remove_entries(session, row_id(obj), None)
    blind.insert_entries(session, index_rows)


def _after_rollback(session: Session, *_args: Any) -> None:
    forget_keys(session)
    for obj in session.identity_map.values():
        obj.__dict__.pop(PENDING, None)


def install_session_hooks() -> None:
    """Encrypt at flush, forget keys and unsaved plaintext on rollback (every Session)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_soft_rollback", _after_rollback)


install_session_hooks()
