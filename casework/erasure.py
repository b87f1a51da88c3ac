"""Erasing a person (right to be forgotten) by crypto-shredding.

The person's data key is destroyed (``core.crypto.erase_subject``), so their names, dates,
documents, notes and files are unreadable everywhere, backups included once the master key
version of the backup is retired; a restore of an earlier backup erases them again from the
erasure journal (:mod:`core.erasure_journal`). Their search indexes are deleted. Each of their
cases first leaves a statistical skeleton (:mod:`casework.skeleton`, the one list of what is
kept); then every plain value still tied to the person is cleared (:func:`clear_plain_values`),
so what remains is ciphertext nobody can open, ids, months, and the few codes listed in
:data:`KEPT_AFTER_ERASURE`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, Table, delete, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from audit import record
from casework.models import Case, Person
from casework.services import CaseworkError
from casework.signals import person_erasing
from core.clock import utcnow
from core.crypto import erase_subject
from core.db import Base, UTCDateTime
from core.security import Actor

#: Plain values an erased person's rows keep, each with why: reference numbers the audit log
#: and the other organisation name records by, and the states the erased records still show.
#: Everything else plain is cleared at erasure (NULL, empty, zero, false; times to the month).
KEPT_AFTER_ERASURE: dict[str, str] = {
    "person.erased_at": "marks the erasure; every later write and read is refused on it",
    "casefile.case_number": "reference number (no personal data) the audit log names it by",
    "casefile.case_type": "a skeleton field; the erased case is still listed by type",
    "casefile.stage": "workflow code; lists and task sources filter on it",
    "erasure_request.reason": "reason code of the erasure itself (accountability)",
    "erasure_request.status": "status code of the erasure itself (accountability)",
    "referral.reference": "reference number (no personal data) both organisations name it by",
    "referral.urgency": "code the provider's inbox lists it with",
    "referral.state": "workflow code; the provider's inbox and counts read it",
    "referral_event.to_state": "workflow code of the referral's history",
}

#: Tables the person's data never reaches through a foreign key but that are handled apart:
#: the skeleton (no link to anyone) and the crypto layer's own tables (erase_subject).
NOT_PERSON_TABLES = frozenset({"case_skeleton", "data_key", "blind_index"})


def _structural(table: Table, column: Any) -> bool:
    """Ids, links and the optimistic-lock counter: what holds the rows together."""
    return bool(column.primary_key or column.foreign_keys or column.name == "version")


def person_conditions(
    person_id: uuid.UUID, organisation_id: uuid.UUID | None = None
) -> dict[str, ColumnElement[bool]]:
    """Table name -> the SQL condition selecting the person's rows there.

    A table is the person's when it has a foreign-key path to ``person`` (directly, or
    through a case, a plan, a referral, ...). With ``organisation_id``, only rows reached
    through that organisation's cases of the person.
    """
    tables = Base.metadata.tables
    found: dict[str, ColumnElement[bool]]
    if organisation_id is None:
        found = {"person": tables["person"].c.id == person_id}
    else:
        cases = tables["casefile"].c
        own = (cases.person_id == person_id) & (cases.organisation_id == organisation_id)
        found = {"casefile": own}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name in found or table.name in NOT_PERSON_TABLES:
                continue
            links = []
            for column in table.c:
                for fk in column.foreign_keys:
                    parent = fk.column.table
                    if parent is not table and parent.name in found:
                        owned = select(fk.column).where(found[parent.name]).scalar_subquery()
                        links.append(column.in_(owned))
            if links:
                found[table.name] = or_(*links)
                changed = True
    return found


def _month_start(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, date):
        return value.replace(day=1)
    return value


def _clear_table(db: Session, table: Table, where: ColumnElement[bool]) -> None:
    plain = [
        c
        for c in table.c
        if not _structural(table, c)
        and not isinstance(c.type, LargeBinary)
        and f"{table.name}.{c.name}" not in KEPT_AFTER_ERASURE
    ]
    if not plain:
        if all(c.primary_key for c in table.c):  # a list of codes (flags, scope, fields)
            db.execute(delete(table).where(where))
        return
    blank: dict[str, Any] = {}
    coarse = []
    for column in plain:
        if isinstance(column.type, Date | DateTime | UTCDateTime):
            if column.nullable:
                blank[column.name] = None
            else:
                coarse.append(column)
        elif column.nullable:
            blank[column.name] = None
        elif isinstance(column.type, Boolean):
            blank[column.name] = False
        elif isinstance(column.type, Integer):
            blank[column.name] = 0
        else:
            blank[column.name] = ""
    if "version" in table.c:
        # The ORM's version counter: a save loaded before the erasure must lose (409), not
        # write plain values back over what was just cleared.
        blank["version"] = table.c.version + 1
    if blank:
        db.execute(sql_update(table).where(where).values(**blank))
    if coarse:
        keys = [c for c in table.c if c.primary_key]
        for row in db.execute(select(*keys, *coarse).where(where)).all():
            values = {c.name: _month_start(row._mapping[c]) for c in coarse}
            match = [k == row._mapping[k] for k in keys]
            db.execute(sql_update(table).where(*match).values(**values))


def clear_plain_values(db: Session, person_id: uuid.UUID) -> None:
    """Clear every plain value tied to the person but ids and KEPT_AFTER_ERASURE (flushes).

    Code-only rows (vulnerability flags, the scope of a consent, the fields a referral
    shared) are deleted; nullable values become NULL, required ones empty, zero or false,
    and required times keep their month only.
    """
    db.flush()
    conditions = person_conditions(person_id)
    for table in Base.metadata.sorted_tables:
        where = conditions.get(table.name)
        if where is not None:
            _clear_table(db, table, where)
    db.expire_all()


def erase_person(db: Session, actor: Actor | None, person: Person, reason: str) -> list[uuid.UUID]:
    """Keep a statistical skeleton of each case, then destroy the person's data key.

    Returns the ids of the person's cases. Raises CaseworkError when already erased or when
    no reason is given.
    """
    if person.erased_at is not None:
        raise CaseworkError("This person's data has been erased already.")
    if len(reason.strip()) < 10:
        raise CaseworkError("Give the reason for the erasure (at least 10 characters).", "reason")
    cases = list(db.scalars(select(Case).where(Case.person_id == person.id)))
    for case in cases:
        person_erasing.send(case, session=db, actor=actor)
    db.flush()
    erase_subject(db, person.id)
    person.erased_at = utcnow()
    clear_plain_values(db, person.id)
    record(
        db,
        "person.erased",
        actor=actor,
        object_type="person",
        object_id=person.id,
        details={"cases": [str(c.id) for c in cases], "skeletons": len(cases)},
    )
    for case in cases:
        record(
            db,
            "case.person_erased",
            actor=actor,
            object_type="case",
            object_id=case.id,
            case_id=case.id,
        )
    return [c.id for c in cases]
