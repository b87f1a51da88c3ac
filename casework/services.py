"""Casework operations: register, find, list, assign and annotate cases. Services flush only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation, User
from casework.models import (
    Case,
    CaseNote,
    CaseNumberCounter,
    CaseVulnerability,
    IdentityDocument,
    Person,
)
from casework.vocabulary import (
    DOCUMENT_TYPES,
    REFERRAL_SOURCES,
    VULNERABILITIES,
    CaseType,
    Stage,
)
from core.clock import utcnow
from core.exceptions import ServiceError
from core.lists import queries as lists
from core.permissions import Role
from core.places.queries import known_codes, province_of
from core.security import Actor


class CaseworkError(ServiceError):
    """A casework change cannot be made; ``field`` names the form field at fault."""


@dataclass
class PersonDetails:
    name_original: str
    name_latin: str | None = None
    aliases: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    estimated_birth_year: int | None = None
    sex: str | None = None
    nationality: str | None = None
    languages: list[str] = field(default_factory=list)
    phone: str | None = None
    address: dict[str, str] = field(default_factory=dict)


# The person's own fields, in form order: registering sets them, editing compares and corrects them.
PERSON_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PersonDetails))


@dataclass
class DocumentDetails:
    document_type: str
    number: str
    issuing_country: str | None = None
    expiry_date: date | None = None


@dataclass
class CaseDetails:
    case_type: CaseType
    event_date: date | None = None
    place: str | None = None
    #: A P-code of core.places: the province or district of return or identification.
    place_code: str | None = None
    referring_source: str | None = None
    #: A code of the list ``referral_source`` (:mod:`core.lists`): the kind of source.
    referral_source: str | None = None
    #: Codes of the list ``vulnerability`` (:mod:`core.lists`).
    vulnerabilities: Sequence[str] = field(default_factory=list)
    risk_level: str | None = None


def next_case_number(db: Session, organisation: Organisation, year: int) -> str:
    """The next readable case number of an organisation and year, e.g. ``AGENCY-2026-000123``.

    Appends are serialised by the database (a row lock on PostgreSQL, the single writer on
    SQLite), so two registrations never get the same number.
    """
    query = (
        select(CaseNumberCounter)
        .where(CaseNumberCounter.organisation_id == organisation.id, CaseNumberCounter.year == year)
        .with_for_update()
    )
    counter = db.scalar(query)
    if counter is None:
        # The year's first number: two registrations may both find no row to lock. Each
        # inserts it in a savepoint; the second fails there and locks the first one's row.
        try:
            with db.begin_nested():
                db.add(CaseNumberCounter(organisation_id=organisation.id, year=year, last=0))
        except IntegrityError:
            pass
        counter = db.scalar(query)
        assert counter is not None
    counter.last += 1
    db.flush()
    return f"{organisation.code}-{year}-{counter.last:06d}"


def check_vulnerabilities(
    db: Session, codes: Sequence[str], held: Sequence[str] | None = None
) -> None:
    """Refuse vulnerabilities the list does not offer (those the case holds stay allowed)."""
    if not {str(c) for c in codes} <= lists.offered(db, VULNERABILITIES) | set(held or []):
        raise CaseworkError("Choose vulnerabilities from the list.", "vulnerabilities")


def check_document_type(db: Session, code: str) -> None:
    """Refuse a document type the list does not offer."""
    if str(code) not in lists.offered(db, DOCUMENT_TYPES):
        raise CaseworkError("Choose a document type from the list.", "document_type")


def check_referral_source(db: Session, code: str | None, held: str | None = None) -> None:
    """Refuse a referral source the list does not offer (the one the case holds stays allowed)."""
    if code and code != held and str(code) not in lists.offered(db, REFERRAL_SOURCES):
        raise CaseworkError("Choose a referral source from the list.", "referral_source")


def _check_dates(person: PersonDetails, case: CaseDetails, today: date) -> None:
    if person.date_of_birth and person.date_of_birth > today:
        raise CaseworkError("The date of birth cannot be in the future.", "date_of_birth")
    if case.event_date and case.event_date > today:
        raise CaseworkError("The date cannot be in the future.", "event_date")


def _check_codes(db: Session, case: CaseDetails, documents: list[DocumentDetails]) -> None:
    check_vulnerabilities(db, case.vulnerabilities)
    check_referral_source(db, case.referral_source)
    for doc in documents:
        check_document_type(db, doc.document_type)


def register_case(
    db: Session,
    actor: Actor,
    person_details: PersonDetails,
    documents: list[DocumentDetails],
    case_details: CaseDetails,
) -> Case:
    """Register a person and open a case for them, assigned to the actor."""
    if actor.organisation_id is None:
        raise CaseworkError("Your account belongs to no organisation.")
    organisation = db.get(Organisation, actor.organisation_id)
    if organisation is None or not organisation.is_case_agency:
        raise CaseworkError("Only case-management organisations register cases.")
    today = utcnow().date()
    _check_dates(person_details, case_details, today)
    _check_codes(db, case_details, documents)
    case_id = uuid.uuid4()
    person = _new_person(db, actor, person_details, documents, case_id)
    case = Case(
        id=case_id,
        person_id=person.id,
        person=person,
        organisation_id=organisation.id,
        case_number=next_case_number(db, organisation, today.year),
        case_type=case_details.case_type.value,
        stage=Stage.IDENTIFICATION.value,
        risk_level=case_details.risk_level,
        referral_source=case_details.referral_source or None,
        assigned_to_id=actor.user_id,
        province_pcode=check_places(db, person_details, case_details),
    )
    case.event_date = case_details.event_date
    case.place, case.place_code = case_details.place, case_details.place_code
    case.referring_source = case_details.referring_source
    case.vulnerabilities = [
        CaseVulnerability(code=v) for v in {str(v) for v in case_details.vulnerabilities}
    ]
    db.add(case)
    db.flush()
    record(
        db,
        "case.created",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"person_id": str(person.id), "new_person": True},
    )
    return case


def check_places(
    db: Session, person: PersonDetails | None, case: CaseDetails | None, held: str | None = None
) -> str | None:
    """Refuse a place that is not an imported one (``held``, the stored code, stays valid);
    return the province P-code of the case's place."""
    address_place = (person.address or {}).get("place") if person else None
    if address_place and address_place != held and not known_codes(db, [address_place]):
        raise CaseworkError("Choose a place from the list.", "address_place")
    code = case.place_code if case else None
    if code and code != held and not known_codes(db, [code]):
        raise CaseworkError("Choose a place from the list.", "place_code")
    return province_of(db, code)


def _new_person(
    db: Session,
    actor: Actor,
    details: PersonDetails,
    documents: list[DocumentDetails],
    case_id: uuid.UUID,
) -> Person:
    person = Person(id=uuid.uuid4(), organisation_id=actor.organisation_id)
    for name in PERSON_FIELDS:
        setattr(person, name, getattr(details, name) or None)
    for doc in documents:
        document = IdentityDocument(id=uuid.uuid4(), person_id=person.id)
        document.document_type = doc.document_type
        document.number = doc.number
        document.issuing_country = doc.issuing_country
        document.expiry_date = doc.expiry_date
        person.documents.append(document)
    db.add(person)
    db.flush()
    record(
        db,
        "person.created",
        object_type="person",
        object_id=person.id,
        case_id=case_id,
        details={
            "fields": sorted(k for k, v in vars(details).items() if v),
            "documents": len(documents),
        },
    )
    return person


def record_case_view(
    db: Session,
    actor: Actor,
    case: Case,
    emergency_grant: object | None = None,
    page: str | None = None,
) -> None:
    """Audit an opened case page (``page`` names any page of it but the case page itself)."""
    details: dict[str, str] = {}
    if page is not None:
        details["page"] = page
    if emergency_grant:
        details["emergency_grant"] = str(getattr(emergency_grant, "id", ""))
    record(
        db,
        "case.viewed",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details=details or None,
    )


def assign_case(db: Session, actor: Actor, case: Case, user_id: uuid.UUID) -> None:
    """A supervisor gives the case to a caseworker or supervisor of the same organisation."""
    user = db.get(User, user_id)
    if (
        user is None
        or user.organisation_id != case.organisation_id
        or not user.active
        or user.role not in (Role.CASEWORKER.value, Role.SUPERVISOR.value)
    ):
        raise CaseworkError("Choose an active caseworker of this organisation.", "assignee")
    if case.assigned_to_id == user.id:
        return
    previous = case.assigned_to_id
    case.assigned_to_id = user.id
    case.updated_at = utcnow()
    db.flush()
    record(
        db,
        "case.assigned",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"from": str(previous) if previous else None, "to": str(user.id)},
    )


def unassign_moved_user(db: Session, actor: Actor | None, user_id: uuid.UUID) -> int:
    """A user moved to another organisation keeps no case of the old one: each is unassigned
    (the old organisation's supervisors reassign it) and audited; returns how many."""
    user = db.get(User, user_id)
    if user is None:
        return 0
    held = db.scalars(
        select(Case)
        .where(Case.assigned_to_id == user_id, Case.organisation_id != user.organisation_id)
        .order_by(Case.id)
    ).all()
    now = utcnow()
    for case in held:
        case.assigned_to_id = None
        case.updated_at = now
    db.flush()
    for case in held:
        record(
            db,
            "case.unassigned",
            actor=actor,
            object_type="case",
            object_id=case.id,
            case_id=case.id,
            details={"from": str(user_id), "reason": "user_moved"},
        )
    return len(held)


def on_user_moved(user: User, session: Session, actor: Actor, **_extra: object) -> None:
    """Receiver of ``auth.signals.user_organisation_changed``: see :func:`unassign_moved_user`."""
    unassign_moved_user(session, actor, user.id)


def add_note(
    db: Session, actor: Actor, case: Case, body: str, corrects_id: uuid.UUID | None = None
) -> CaseNote:
    """Append a note (notes are never edited; a correction is a new note naming the old one)."""
    body = body.strip()
    if not body:
        raise CaseworkError("Write something before saving the note.", "body")
    if corrects_id is not None and not any(n.id == corrects_id for n in case.notes):
        raise CaseworkError("The note to correct is not on this case.", "corrects")
    note = CaseNote(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=case.person_id,
        author_id=actor.user_id,
        corrects_id=corrects_id,
    )
    note.body = body
    db.add(note)
    db.flush()
    record(
        db,
        "case.note_added",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"note_id": str(note.id), "corrects": str(corrects_id) if corrects_id else None},
    )
    return note


def add_pending_request(
    db: Session,
    actor: Actor,
    row: Any,
    *,
    waiting: str,
    action: str,
    object_type: str,
    reason: str,
) -> None:
    """Add a two-person request (a closure, an erasure…) and record ``action`` with its reason
    code. Two requests at once may both have found none waiting: the partial unique index
    (:func:`core.decisions.one_pending_index`) lets one win, and the other gets ``waiting``."""
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        raise CaseworkError(waiting) from None
    record(
        db,
        action,
        actor=actor,
        object_type=object_type,
        object_id=row.id,
        case_id=row.case_id,
        details={"reason": reason},
    )
