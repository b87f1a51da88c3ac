"""A chunk's model objects as rows, encrypted and indexed in bulk, written with one
multi-row ``INSERT`` per table.

Each encrypted value goes through the app's own format: ``core.crypto.keystore.encrypt_bytes``
under the person's data key, bound to table, column and row id, with the attribute's own codec
(:mod:`core.crypto.fields`). Its blind-index rows are the app's too (``core.crypto.blind_index``):
the name index splits the value with ``name_tokens`` and each token's ``name_keys`` are hashed
with ``hash_term``, remembered per token (names repeat); other indexes go through
``index_pairs``. The generated objects are :class:`Row` stand-ins of the models (plain
values, no ORM instrumentation) holding plaintext, which the skeleton builder reads; the
ciphertexts go straight into the rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import Session

_MISSING = object()


class Spec:
    """What a model's rows hold: the table; per mapped attribute its column and Python
    default; per encrypted attribute its column, codec and blind index; whose key and which
    row id encrypted values are bound to (``core.crypto.fields``)."""

    def __init__(self, model: type) -> None:
        from core.crypto.fields import encrypted_attributes

        mapper: Any = inspect(model)
        table = mapper.local_table
        assert isinstance(table, Table)
        self.table = table
        self.columns = [
            (p.key, p.columns[0].key, p.columns[0].default) for p in mapper.column_attrs
        ]
        keys = {column.name: column.key for column in table.columns}
        self.encrypted = {
            name: (keys[name], a.codec.encode, a.blind_index)
            for name, a in encrypted_attributes(model).items()
        }
        self.subject = getattr(model, "__encryption_subject__", None)
        self.row_id = getattr(model, "__encryption_row_id__", "id")
        self.names = frozenset(self.encrypted) | {attribute for attribute, _c, _d in self.columns}


_SPECS: dict[type, Spec] = {}


def spec_of(model: type) -> Spec:
    found = _SPECS.get(model)
    if found is None:
        found = _SPECS[model] = Spec(model)
    return found


class Row:
    """One model's values as plain attributes, without the ORM's instrumentation (which costs
    more than the rest of building a person): ``Row(Case, id=..., stage=...)``, then
    ``row.stage = ...`` as on the model. Encrypted attributes hold their plaintext until
    :func:`rows_of` encrypts them into the row; reading an unset attribute gives None."""

    __slots__ = ("model", "values")

    def __init__(self, model: type, **values: Any) -> None:
        spec = spec_of(model)
        unknown = set(values) - spec.names
        if unknown:
            raise AttributeError(f"{model.__name__} has no attributes {sorted(unknown)}")
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "values", values)

    def __getattr__(self, name: str) -> Any:
        if name in _SPECS[self.model].names:
            return self.values.get(name)
        raise AttributeError(f"{self.model.__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _SPECS[self.model].names:
            raise AttributeError(f"{self.model.__name__} has no attribute {name!r}")
        self.values[name] = value


def row_of(obj: Row) -> tuple[Spec, dict[str, Any]]:
    """The object's row: every column from its values, else the column's own Python default
    (as the ORM would insert it), else NULL; encrypted columns are filled by
    :func:`encrypt_into`."""
    spec = _SPECS[obj.model]
    values = obj.values
    row: dict[str, Any] = {}
    for attribute, column, default in spec.columns:
        value = values.get(attribute, _MISSING)
        if value is _MISSING:
            if default is None:
                value = None
            elif default.is_callable:
                value = default.arg(None)
            else:
                value = default.arg
        row[column] = value
    return spec, row


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
    db: Session,
    obj: Row,
    row: dict[str, Any],
    terms: Terms,
    index_rows: list[dict[str, Any]],
) -> None:
    """Put the ciphertexts of ``obj``'s encrypted values into its ``row`` and collect their
    blind-index rows, as ``core.crypto.fields`` does at the flush of a new object: the
    attribute's codec, ``encrypt_bytes`` under the subject's data key, bound to table, column
    (the attribute's name) and row id."""
    from core.crypto.keystore import Binding, encrypt_bytes

    spec = _SPECS[obj.model]
    values = obj.values
    subject, rid = values[spec.subject], values[spec.row_id]
    table = spec.table.name
    for name, (column, encode, index_name) in spec.encrypted.items():
        if name not in values:
            continue
        value = values[name]
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
    index_rows += pair_rows_of(spec, values, terms)


def pair_rows_of(spec: Spec, values: dict[str, Any], terms: Terms) -> list[dict[str, Any]]:
    """The name-pair entries of a new object whose values feed the name index (as
    ``core.crypto.fields`` writes them through ``core.crypto.name_pairs``)."""
    from core.crypto import name_pairs

    paired = [
        name
        for name, (_column, _encode, index_name) in spec.encrypted.items()
        if index_name == name_pairs.PAIRED_INDEX
    ]
    if not any(name in values for name in paired):
        return []
    subject, rid = values[spec.subject], values[spec.row_id]
    source = name_pairs.source_column(spec.table.name)
    return [
        {
            "subject_id": subject,
            "source_row_id": rid,
            "source_column": source,
            "field": field,
            "value": hashed,
        }
        for field, hashed in sorted(
            name_pairs.pair_hashes(terms.crypto, [values.get(name) for name in paired])
        )
    ]


def rows_of(db: Session, objects: list[Row], terms: Terms) -> dict[Table, list[dict[str, Any]]]:
    """Every object's row (encrypted), by table; the blind index's rows under its table."""
    from core.crypto.models import BlindIndexEntry

    rows: dict[Table, list[dict[str, Any]]] = {}
    index_rows: list[dict[str, Any]] = []
    for obj in objects:
        spec, row = row_of(obj)
        if spec.encrypted:
            encrypt_into(db, obj, row, terms, index_rows)
        rows.setdefault(spec.table, []).append(row)
    index_table = BlindIndexEntry.__table__
    assert isinstance(index_table, Table)
    rows[index_table] = index_rows
    return rows


def copy_rows(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: the rows through ``COPY ... FROM STDIN``, each value passed through its
    column type's own bind processor first (what an INSERT would send: UTC times, JSON)."""
    connection = db.connection()
    dialect = connection.dialect
    columns = [column for column in table.columns if column.key in rows[0]]
    steps = [
        (column.key, column.type.dialect_impl(dialect).bind_processor(dialect))
        for column in columns
    ]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([step(row[key]) if step else row[key] for key, step in steps])


def insert_rows(db: Session, rows: dict[Table, list[dict[str, Any]]]) -> None:
    """The rows of every table, parents first: ``COPY`` on PostgreSQL, else one multi-row
    ``INSERT`` a table."""
    from core.db import Base

    copy = db.connection().dialect.name == "postgresql"
    for table in Base.metadata.sorted_tables:
        if not rows.get(table):
            continue
        if copy:
            copy_rows(db, table, rows[table])
        else:
            db.execute(insert(table), rows[table])
    refresh_skeleton_flags(db, rows)


def refresh_skeleton_flags(db: Session, rows: dict[Table, list[dict[str, Any]]]) -> None:
    """Set the detail rows' derived flags (each person's latest score, first code, action due
    first) of the skeletons just written, with the app's own statement."""
    from casework.skeleton.derived import DERIVED, refresh_derived

    for model in DERIVED:
        written = rows.get(model.__table__)
        if written:
            refresh_derived(db, model, {row["skeleton_id"] for row in written})
