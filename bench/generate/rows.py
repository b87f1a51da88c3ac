"""A chunk's model objects as rows, encrypted and indexed in bulk, written with one
multi-row ``INSERT`` per table.

Each encrypted value goes through the app's own format: ``core.crypto.keystore.encrypt_bytes``
under the person's data key, bound to table, column and row id, with the attribute's own codec
(:mod:`core.crypto.fields`). Its blind-index rows are the app's too (``core.crypto.blind_index``):
the name index splits the value with ``name_tokens`` and each token's ``name_keys`` are hashed
with ``hash_term``, remembered per token (names repeat); other indexes go through
``index_pairs``, remembered per value. The objects keep their plaintext (pending), which the
skeleton builder reads; the ciphertexts go straight into the rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import Session

_MISSING = object()
_COLUMNS: dict[type, tuple[Table, list[tuple[str, str, Any]]]] = {}
#: model -> (table name, [(attribute, column, codec encode, blind index or None)])
_ENCRYPTED: dict[type, tuple[str, dict[str, tuple[str, Any, str | None]]]] = {}


def row_of(obj: Any) -> tuple[Table, dict[str, Any]]:
    """The table of a model object and its row: every column, from the object's values, else
    the column's own Python default (as the ORM would insert it), else NULL."""
    spec = _COLUMNS.get(type(obj))
    if spec is None:
        mapper = inspect(type(obj))
        table = mapper.local_table
        assert isinstance(table, Table)
        columns = [
            (prop.key, prop.columns[0].key, prop.columns[0].default) for prop in mapper.column_attrs
        ]
        spec = _COLUMNS[type(obj)] = (table, columns)
    table, columns = spec
    values = obj.__dict__
    row: dict[str, Any] = {}
    for attribute, column, default in columns:
        value = values.get(attribute, _MISSING)
        if value is _MISSING:
            if default is None:
                value = None
            elif default.is_callable:
                value = default.arg(None)
            else:
                value = default.arg
        row[column] = value
    return table, row


def encrypted_of(model: type) -> tuple[str, dict[str, tuple[str, Any, str | None]]]:
    """A model's table name and, per encrypted attribute, its column, codec and index."""
    spec = _ENCRYPTED.get(model)
    if spec is None:
        from core.crypto.fields import encrypted_attributes

        table = model.__table__  # type: ignore[attr-defined]
        keys = {column.name: column.key for column in table.columns}
        spec = _ENCRYPTED[model] = (
            str(table.name),
            {
                name: (keys[name], a.codec.encode, a.blind_index)
                for name, a in encrypted_attributes(model).items()
            },
        )
    return spec


class Terms:
    """Blind-index pairs (field, hashed term) of values, computed by the app's index code and
    remembered: per name token for the name index, per value for the others."""

    def __init__(self, db: Session) -> None:
        from core.crypto import get_crypto

        self.crypto = get_crypto(db)
        self.tokens: dict[str, set[tuple[str, int]]] = {}
        self.values: dict[tuple[str, Any], set[tuple[str, int]]] = {}

    def pairs(self, index_name: str, value: Any) -> list[tuple[str, int]]:
        from core.crypto import blind_index as blind

        index = blind.get_blind_index(index_name)
        if index is blind.NAME and isinstance(value, str):
            found: set[tuple[str, int]] = set()
            for token in blind.name_tokens(value):
                known = self.tokens.get(token)
                if known is None:
                    known = self.tokens[token] = {
                        (index.field(kind), blind.hash_term(self.crypto, index, kind, term))
                        for kind, term in blind.name_keys(token).items()
                    }
                found |= known
            return sorted(found)
        key = (index_name, value)
        known = self.values.get(key)
        if known is None:
            known = blind.index_pairs(self.crypto, index, value)
            if index_name == "date_of_birth":  # dates repeat; documents and numbers do not
                self.values[key] = known
        return sorted(known)


def encrypt_into(
    db: Session, obj: Any, row: dict[str, Any], terms: Terms, index_rows: list[dict[str, Any]]
) -> None:
    """Put the ciphertexts of ``obj``'s pending values into its ``row`` and collect their
    blind-index rows, as ``core.crypto.fields`` does at the flush of a new object."""
    from core.crypto.fields import PENDING, row_id, subject_id
    from core.crypto.keystore import Binding, encrypt_bytes

    table, attributes = encrypted_of(type(obj))
    subject = subject_id(obj)
    rid = row_id(obj)
    for name, value in obj.__dict__[PENDING].items():
        column, encode, index_name = attributes[name]
        if value is not None:
            row[column] = encrypt_bytes(db, subject, Binding(table, name, rid), encode(value))
        if index_name is not None:
            source = f"{table}.{name}"
            index_rows += [
                {
                    "subject_id": subject,
                    "source_row_id": rid,
                    "source_column": source,
                    "field": field,
                    "value": hashed,
                }
                for field, hashed in terms.pairs(index_name, value)
            ]


def rows_of(db: Session, objects: list[Any], terms: Terms) -> dict[Table, list[dict[str, Any]]]:
    """Every object's row (encrypted), by table; the blind index's rows under its table."""
    from core.crypto.fields import PENDING
    from core.crypto.models import BlindIndexEntry

    rows: dict[Table, list[dict[str, Any]]] = {}
    index_rows: list[dict[str, Any]] = []
    for obj in objects:
        table, row = row_of(obj)
        if obj.__dict__.get(PENDING):
            encrypt_into(db, obj, row, terms, index_rows)
        rows.setdefault(table, []).append(row)
    index_table = BlindIndexEntry.__table__
    assert isinstance(index_table, Table)
    rows[index_table] = index_rows
    return rows


def insert_rows(db: Session, rows: dict[Table, list[dict[str, Any]]]) -> None:
    """One multi-row INSERT per table, parents first."""
    from core.db import Base

    for table in Base.metadata.sorted_tables:
        if rows.get(table):
            db.execute(insert(table), rows[table])
