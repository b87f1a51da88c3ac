"""Editing a person or a case one section at a time, with optimistic locking.

Each form carries the version it was loaded at. A save against a newer version is refused
with :class:`EditConflict`, which carries what is stored now, so the page can show both
versions and keep the user's input for re-submission (409); nothing is silently overwritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from audit import record
from casework.models import Case, CaseVulnerability, IdentityDocument, Person
from casework.services import (
    PERSON_FIELDS,
    CaseDetails,
    CaseworkError,
    DocumentDetails,
    PersonDetails,
    check_document_type,
    check_places,
    check_referral_source,
    check_vulnerabilities,
)
from casework.signals import person_corrected
from core.clock import utcnow
from core.db import flush_or_conflict
from core.exceptions import EditConflict
from core.places.queries import province_of
from core.security import Actor

CASE_FIELDS = (
    "case_type",
    "event_date",
    "place",
    "place_code",
    "referring_source",
    "referral_source",
    "risk_level",
)


def person_values(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


def case_values(case: Case) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    values["vulnerabilities"] = case.vulnerability_codes
    return values


def _flush_or_conflict(
    db: Session, record: Person | Case, values: Callable[[], dict[str, Any]]
) -> None:
    flush_or_conflict(db, lambda: EditConflict(values(), record.version))


def update_person(
    db: Session,
    actor: Actor,
    case: Case,
    details: PersonDetails,
    loaded_version: int,
    *,
    reason: str | None = None,
) -> list[str]:
    """Save the person section; returns the names of the fields that changed.

    Each changed field leaves a correction record (old and new value, who, ``reason``).
    """
    person = case.person
    before = person_values(person)
    if person.version != loaded_version:
        raise EditConflict(person_values(person), person.version)
    if details.date_of_birth and details.date_of_birth > utcnow().date():
        raise CaseworkError("The date of birth cannot be in the future.", "date_of_birth")
    check_places(db, details, None, (person.address or {}).get("place"))
    wanted = asdict(details)
    changed = []
    for name in PERSON_FIELDS:
        value = wanted[name] or None
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if changed:
        person.updated_at = utcnow()
        _flush_or_conflict(db, person, lambda: person_values(person))
        record(
            db,
            "person.updated",
            actor=actor,
            object_type="person",
            object_id=person.id,
            case_id=case.id,
            details={"fields": changed},
        )
        person_corrected.send(
            case, session=db, actor=actor, before=before, changed=changed, reason=reason
        )
    return changed


def update_case_details(
    db: Session, actor: Actor, case: Case, details: CaseDetails, loaded_version: int
) -> list[str]:
    """Save the case section (type, dates, place, source, vulnerabilities, risk)."""
    if case.version != loaded_version:
        raise EditConflict(case_values(case), case.version)
    if details.event_date and details.event_date > utcnow().date():
        raise CaseworkError("The date cannot be in the future.", "event_date")
    check_places(db, None, details, case.place_code)
    check_referral_source(db, details.referral_source, held=case.referral_source)
    wanted: dict[str, Any] = {
        "case_type": details.case_type.value,
        "event_date": details.event_date,
        "place": details.place,
        "place_code": details.place_code,
        "referring_source": details.referring_source,
        "referral_source": details.referral_source or None,
        "risk_level": details.risk_level,
    }
    codes = sorted({str(v) for v in details.vulnerabilities})
    stored_codes = case.vulnerability_codes  # loaded before any change (no autoflush later)
    check_vulnerabilities(db, codes, held=stored_codes)
    changed = []
    for name, value in wanted.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if "place_code" in changed:  # the statistical province follows the place
        case.province_pcode = province_of(db, case.place_code)
    if codes != stored_codes:
        case.vulnerabilities = [CaseVulnerability(code=c) for c in codes]
        changed.append("vulnerabilities")
    if changed:
        case.updated_at = utcnow()
        _flush_or_conflict(db, case, lambda: case_values(case))
        record(
            db,
            "case.updated",
            actor=actor,
            object_type="case",
            object_id=case.id,
            case_id=case.id,
            details={"fields": changed},
        )
    return changed


def add_document(
    db: Session, actor: Actor, case: Case, details: DocumentDetails
) -> IdentityDocument:
    if not details.number.strip():
        raise CaseworkError("Type the document number.", "document_number")
    check_document_type(db, details.document_type)
    document = IdentityDocument(id=uuid.uuid4(), person_id=case.person_id)
    document.document_type = details.document_type
    document.number = details.number.strip()
    document.issuing_country = details.issuing_country
    document.expiry_date = details.expiry_date
    case.person.documents.append(document)
    db.flush()
    record(
        db,
        "person.document_added",
        actor=actor,
        object_type="person",
        object_id=case.person_id,
        case_id=case.id,
        details={"document_id": str(document.id)},
    )
    return document
