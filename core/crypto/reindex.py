"""Rebuild the blind indexes from the encrypted values (``homeward db reindex-search``).

Needed whenever :mod:`core.crypto.normalise` changes what a value or query becomes (for
example a new Arabic-script letter variant): the stored hashes were made by the old rules, so
until they are rebuilt a search by the new rules misses those people. The rebuild reads each
indexed value (decrypting it), replaces exactly its entries, and commits batch by batch, so it
can be run on a live system and resumed; values whose subject was erased are skipped.

It also rebuilds the name-pair entries (:mod:`core.crypto.name_pairs`) of every row with name
values, so it is the offline backfill of those entries after upgrading to the version that
introduced them, and their rebuild after the index root key changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.crypto import blind_index as blind
from core.crypto import name_pairs
from core.crypto.errors import CryptoError
from core.crypto.fields import EncryptedAttribute, binding, encrypted_attributes, subject_id
from core.crypto.models import DataKey
from core.db import Base


def indexed_models() -> list[tuple[type, list[EncryptedAttribute[Any]]]]:
    """Every mapped model with at least one blind-indexed encrypted attribute."""
    found = []
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__):
        attributes = [a for a in encrypted_attributes(mapper.class_).values() if a.blind_index]
        if attributes:
            found.append((mapper.class_, attributes))
    return found


def _reindex_object(
    session: Session, obj: object, attributes: list[EncryptedAttribute[Any]]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    names: list[Any] = []
    erased = False
    for attribute in attributes:
        place = binding(obj, attribute)
        source = f"{place.table}.{place.column}"
        try:
            value = getattr(obj, attribute.name)
        except CryptoError:
            erased = True
            continue  # erased: its entries went with its key
        blind.remove_entries(session, place.row_id, source)
        assert attribute.blind_index is not None
        rows += blind.entry_rows(
            session, attribute.blind_index, subject_id(obj), place.row_id, source, value
        )
        if attribute.blind_index == name_pairs.PAIRED_INDEX:
            names.append(value)
    if names and not erased:  # the pairs span every name value of the row (core.crypto.name_pairs)
        place = binding(obj, attributes[0])
        rows += name_pairs.pair_rows(
            session, subject_id(obj), place.row_id, place.table, names, replace=True
        )
    return rows


def _lock_subjects(session: Session, subjects: set[uuid.UUID]) -> set[uuid.UUID]:
    """Share-lock the data keys of ``subjects`` until the batch commits; returns the erased.

    An erasure destroys the key (an update of its row) before it deletes the subject's
    entries, so while the batch holds the lock an erasure waits for it to commit and then
    deletes what it wrote; an erasure already under way makes the lock wait for it, and the
    subject is then seen erased and skipped. Without it, a subject erased while the batch
    was decrypting them got their entries written back after the erasure.
    """
    if not subjects:
        return set()
    rows = session.execute(
        select(DataKey.subject_id, DataKey.destroyed_at)
        .where(DataKey.subject_id.in_(sorted(subjects)))
        .order_by(DataKey.subject_id)
        .with_for_update(read=True)
    ).all()
    return {subject for subject, destroyed in rows if destroyed is not None}


def reindex_batch(
    session: Session, model: type, after: uuid.UUID | None, size: int
) -> tuple[int, uuid.UUID | None]:
    """Rebuild the entries of up to ``size`` rows of ``model`` after id ``after``; returns how
    many rows were done and the last id (None when there were none)."""
    attributes = [a for a in encrypted_attributes(model).values() if a.blind_index]
    key = model.id  # type: ignore[attr-defined]
    query: Select[Any] = select(model).order_by(key).limit(size)
    if after is not None:
        query = query.where(key > after)
    objects = list(session.scalars(query))
    if not objects:
        return 0, None
    read, last = len(objects), objects[-1].id
    erased = _lock_subjects(session, {subject_id(obj) for obj in objects})
    # Then lock the rows and read them again, now current: an edit that committed since
    # is read as edited, and one still to come waits for this batch (it locks its row
    # before touching the entries, core.crypto.fields), so no entry of a value the row no
    # longer holds is written back. Data keys first, rows second: the order an erasure
    # takes them in.
    objects = list(
        session.scalars(
            select(model)
            .where(key.in_([obj.id for obj in objects]))
            .order_by(key)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    )
    rows: list[dict[str, Any]] = []
    for obj in objects:
        if subject_id(obj) in erased:
            continue  # erased: its entries went with its key (and must not come back)
        rows += _reindex_object(session, obj, attributes)
    blind.insert_entries(session, rows)
    session.flush()
    return read, last


def reindex_all(scope: Callable[[], AbstractContextManager[Session]], size: int = 500) -> int:
    """Rebuild every blind index, each batch in its own (committed) ``scope()``; returns the
    number of rows read."""
    total = 0
    for model, _attributes in indexed_models():
        after: uuid.UUID | None = None
        while True:
            with scope() as session:
                count, after = reindex_batch(session, model, after, size)
            total += count
            if count < size:
                break
    return total
