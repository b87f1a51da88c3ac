"""Correction records: each changed field of a person's details, old and new value, who, why."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case, Person
from casework.subject_rights.models import PersonCorrection
from core.security import Actor


def as_text(value: Any) -> str | None:
    """A field's value as a person would read it (lists joined, dates in ISO form)."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()) if v)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def record_corrections(
    db: Session,
    actor: Actor,
    case: Case,
    before: dict[str, Any],
    changed: Iterable[str],
    reason: str | None = None,
) -> list[PersonCorrection]:
    """Store one correction per changed field of ``case.person`` (flushes)."""
    person = case.person
    stored = []
    for name in changed:
        correction = PersonCorrection(
            id=uuid.uuid4(),
            person_id=person.id,
            case_id=case.id,
            field_name=name,
            corrected_by_id=actor.user_id,
        )
        correction.old_value = as_text(before.get(name))
        correction.new_value = as_text(getattr(person, name))
        correction.reason = (reason or "").strip() or None
        db.add(correction)
        stored.append(correction)
    db.flush()
    return stored


def corrections_of(
    db: Session, person: Person, organisation_id: uuid.UUID | None = None
) -> list[PersonCorrection]:
    """The person's corrections, newest first; with ``organisation_id`` only those made on
    that organisation's cases (another agency's reasons and staff are theirs to show)."""
    query = select(PersonCorrection).where(PersonCorrection.person_id == person.id)
    if organisation_id is not None:
        own_cases = select(Case.id).where(Case.organisation_id == organisation_id)
        query = query.where(PersonCorrection.case_id.in_(own_cases))
    return list(db.scalars(query.order_by(PersonCorrection.corrected_at.desc())))


def on_person_corrected(
    case: Case,
    session: Session,
    actor: Actor,
    before: dict[str, Any],
    changed: Iterable[str],
    reason: str | None = None,
    **_extra: object,
) -> None:
    """Receiver of ``casework.signals.person_corrected``: see :func:`record_corrections`."""
    record_corrections(session, actor, case, before, changed, reason)
