"""What a work list shows about each case: number, risk and, for cases the actor may open, the
person's names, read in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import policy
from casework.models import Case, Person
from core.crypto import CryptoError, preload_keys
from core.security import Actor


@dataclass(frozen=True)
class CaseFacts:
    """A case as a work list shows it; names are None when erased or unreadable."""

    case_id: uuid.UUID
    case_number: str
    risk_level: str | None
    name_original: str | None
    name_latin: str | None

    @property
    def named(self) -> bool:
        return self.name_original is not None


def _names(person: Person) -> tuple[str | None, str | None]:
    if person.erased_at is not None:
        return None, None
    try:
        return person.name_original, person.name_latin
    except CryptoError:  # a key destroyed under us: show the case number only
        return None, None


def case_facts(
    db: Session, actor: Actor, case_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, CaseFacts]:
    """Facts of the cases among ``case_ids`` that the actor may open (policy's SQL twin);
    the others are left out, so nothing of them is shown. Three queries at most."""
    wanted = {case_id for case_id in case_ids if case_id is not None}
    if not wanted:
        return {}
    rows = db.execute(
        select(Case.id, Case.case_number, Case.risk_level, Person)
        .join(Person, Person.id == Case.person_id)
        .where(Case.id.in_(wanted), policy.visible_cases(actor))
    ).all()
    preload_keys(db, {row.Person.id for row in rows if row.Person.erased_at is None})
    facts = {}
    for row in rows:
        original, latin = _names(row.Person)
        facts[row.id] = CaseFacts(row.id, row.case_number, row.risk_level, original, latin)
    return facts


def named_case_ids(facts: Iterable[CaseFacts]) -> list[str]:
    """The ids of the cases whose person's name is shown, for the audit log."""
    return sorted({str(f.case_id) for f in facts if f.named})
