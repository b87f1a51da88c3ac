"""Erasing a person (right to be forgotten) by crypto-shredding.

The person's data key is destroyed (``core.crypto.erase_subject``), so their names, dates,
documents, notes and files are unreadable everywhere, backups included once the master key
version of the backup is retired. Their search indexes are deleted. Each of their cases first
leaves a :class:`CaseSkeleton` for statistics (age band in CTDC's bands, never a date).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from casework.models import Case, CaseSkeleton, Person
from casework.services import CaseworkError
from core.clock import utcnow
from core.crypto import erase_subject
from core.security import Actor

#: CTDC publishes ages in bands of this kind.
AGE_BANDS = (
    (0, 8, "0-8"),
    (9, 17, "9-17"),
    (18, 20, "18-20"),
    (21, 23, "21-23"),
    (24, 26, "24-26"),
    (27, 29, "27-29"),
    (30, 38, "30-38"),
    (39, 47, "39-47"),
    (48, 200, "48+"),
)


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return next((band for low, high, band in AGE_BANDS if low <= age <= high), None)


def _age_at(person: Person, when_year: int) -> int | None:
    if person.date_of_birth is not None:
        return when_year - person.date_of_birth.year
    if person.estimated_birth_year is not None:
        return when_year - person.estimated_birth_year
    return None


def _screening_outcome(db: Session, case: Case) -> str | None:
    from casework.screening.models import Screening

    return db.scalar(
        select(Screening.outcome)
        .where(Screening.case_id == case.id)
        .order_by(Screening.recorded_at.desc())
        .limit(1)
    )


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
        year = case.opened_at.year
        db.add(
            CaseSkeleton(
                id=uuid.uuid4(),
                organisation_id=case.organisation_id,
                year_opened=year,
                sex=person.sex,
                age_band=age_band(_age_at(person, year)),
                case_type=case.case_type,
                stage=case.stage,
                screening_outcome=_screening_outcome(db, case),
            )
        )
    db.flush()
    erase_subject(db, person.id)
    person.erased_at = utcnow()
    db.flush()
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
