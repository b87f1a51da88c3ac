"""Everything held about a person, for a subject access request, built generically.

Every mapped model that declares ``__encryption_subject__`` holds personal data keyed by a
person; the export walks all of them (``Base.registry.mappers``), so a model or field added
later is included without anyone remembering to. So does every model tied to the person only
through a foreign-key path (a case's reflection periods, a referral's events). Each row gives
every plain column and every encrypted attribute decrypted. Left out: ciphertext columns (they
carry key ids) and file contents (attachments are listed with their metadata; the files are
downloaded from the case).
Staff and organisation ids are replaced by names.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import LargeBinary, inspect, select
from sqlalchemy.orm import Session

from auth.models import Organisation
from auth.queries import user_names
from casework.erasure import person_conditions
from casework.models import Case, Person
from core.crypto import encrypted_attributes
from core.db import Base

Row = dict[str, Any]


def subject_models() -> list[type[Any]]:
    """Every mapped model holding data of one person (declares ``__encryption_subject__``)."""
    models = [
        mapper.class_
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__encryption_subject__", None)
    ]
    return sorted(models, key=lambda m: (m is not Person, str(m.__tablename__)))


def linked_models() -> list[type[Any]]:
    """Mapped models tied to a person only through a case or a parent row (reflection periods,
    plan status, referral events, the scope of a consent, ...): no key of their own, still the
    person's data."""
    tied = set(person_conditions(uuid.UUID(int=0)))
    subjects = set(subject_models())
    models = [
        mapper.class_
        for mapper in Base.registry.mappers
        if mapper.class_ not in subjects and str(mapper.class_.__tablename__) in tied
    ]
    return sorted(models, key=lambda m: str(m.__tablename__))


def jsonable(value: Any) -> Any:
    """A value as JSON holds it: ids and dates as text, lists and mappings kept."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return {"bytes": len(value)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _plain_columns(model: type[Any]) -> list[tuple[str, str | None]]:
    """(attribute, referenced table) of the model's plain, non-binary columns."""
    storage = {attr.storage for attr in encrypted_attributes(model).values()}
    found = []
    for prop in inspect(model).column_attrs:
        column = prop.columns[0]
        if prop.key in storage or isinstance(column.type, LargeBinary):
            continue
        target = next((fk.column.table.name for fk in column.foreign_keys), None)
        found.append((prop.key, target))
    return found


def _rows(
    db: Session, model: type[Any], person_id: uuid.UUID, organisation_id: uuid.UUID | None
) -> list[Any]:
    """The person's rows of ``model``, leaving out what belongs to another organisation's case."""
    subject = getattr(model, model.__encryption_subject__)
    query = select(model).where(subject == person_id)
    if organisation_id is not None:
        own_cases = select(Case.id).where(Case.organisation_id == organisation_id)
        if model is Case:
            query = query.where(Case.organisation_id == organisation_id)
        elif "case_id" in inspect(model).columns:
            column = model.case_id
            query = query.where(column.is_(None) | column.in_(own_cases))
        else:
            # Rows tied to a case through a parent (a plan action through its plan): keep
            # only those whose parent belongs to one of this organisation's cases.
            for column in inspect(model).columns:
                for fk in column.foreign_keys:
                    parent = fk.column.table
                    if parent.name not in ("person", Case.__tablename__) and "case_id" in parent.c:
                        owned = select(fk.column).where(parent.c.case_id.in_(own_cases))
                        query = query.where(column.is_(None) | column.in_(owned))
    return list(db.scalars(query))


def person_records(
    db: Session, person: Person, organisation_id: uuid.UUID | None = None
) -> dict[str, list[Row]]:
    """Table name -> every row of the person there, plain and decrypted values as JSON types.

    With ``organisation_id``, rows tied to another organisation's case are left out: each
    organisation answers for its own records (the export says how many cases it left out).
    """
    found = {model: _rows(db, model, person.id, organisation_id) for model in subject_models()}
    linked = person_conditions(person.id, organisation_id)
    for model in linked_models():
        condition = linked.get(str(model.__tablename__))
        found[model] = [] if condition is None else list(db.scalars(select(model).where(condition)))
    staff: set[uuid.UUID | None] = set()
    organisations: set[uuid.UUID] = set()
    for model, rows in found.items():
        for name, target in _plain_columns(model):
            found_ids = {getattr(row, name) for row in rows} - {None}
            if target == "user_account":
                staff |= found_ids
            elif target == "organisation":
                organisations |= found_ids
    names = user_names(db, staff)
    org_names = {
        o.id: o.name
        for o in db.scalars(select(Organisation).where(Organisation.id.in_(organisations)))
    }
    records: dict[str, list[Row]] = {}
    for model, rows in found.items():
        columns = _plain_columns(model)
        encrypted = sorted(encrypted_attributes(model))
        table: list[Row] = []
        for row in rows:
            values: Row = {}
            for name, target in columns:
                value = getattr(row, name)
                if target in ("user_account", "organisation"):
                    # A name instead of an id: "requested_by_id" becomes "requested_by".
                    lookup = names if target == "user_account" else org_names
                    name = name.removesuffix("_id")
                    value = None if value is None else lookup.get(value, str(value))
                values[name] = jsonable(value)
            for name in encrypted:
                values[name] = jsonable(getattr(row, name))
            if isinstance(row, Case):  # the flags live in a code-only table of the case
                values["vulnerabilities"] = row.vulnerability_codes
            table.append(values)
        records[str(model.__tablename__)] = table
    return records
