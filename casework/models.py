"""People and their cases. Every personal value is encrypted under the person's data key."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class Person(UUIDPrimaryKey, Base):
    """Someone a case is about. One person may have several cases (returned more than once)."""

    __tablename__ = "person"
    __encryption_subject__ = "id"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    name_original = encrypted_column(str, blind_index="name")
    name_latin = encrypted_column(str, blind_index="name")
    aliases = encrypted_column(list, blind_index="name")
    date_of_birth = encrypted_column(date, blind_index="date_of_birth")
    estimated_birth_year = encrypted_column(int)
    sex = encrypted_column(str)
    nationality = encrypted_column(str)
    languages = encrypted_column(list)
    phone = encrypted_column(str)
    address = encrypted_column(dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the person's data key was destroyed: nothing of theirs can be read again.
    erased_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    documents: Mapped[list[IdentityDocument]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="IdentityDocument.created_at",
    )
    cases: Mapped[list[Case]] = relationship(back_populates="person")

    __mapper_args__ = {"version_id_col": version}


class IdentityDocument(UUIDPrimaryKey, Base):
    __tablename__ = "identity_document"
    __encryption_subject__ = "person_id"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    document_type = encrypted_column(str)
    number = encrypted_column(str, blind_index="document")
    issuing_country = encrypted_column(str)
    expiry_date = encrypted_column(date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="documents")


class Case(UUIDPrimaryKey, Base):
    """A case: one person's journey with one organisation, from identification to closure."""

    __tablename__ = "casefile"
    __encryption_subject__ = "person_id"
    # Lists filter and sort on these plain columns without decrypting anything.
    __table_args__ = (
        Index("ix_casefile_org_stage_opened", "organisation_id", "stage", "opened_at"),
        # The organisation's list (a supervisor's), newest first: no sort of every case.
        Index("ix_casefile_org_opened", "organisation_id", "opened_at"),
        Index("ix_casefile_assigned_opened", "assigned_to_id", "opened_at"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    case_type: Mapped[str] = mapped_column(String(30))
    stage: Mapped[str] = mapped_column(String(20), default="identification")
    risk_level: Mapped[str | None] = mapped_column(String(10))
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    event_date = encrypted_column(date)
    place = encrypted_column(str)
    #: The P-code of the place of return or identification (core.places), encrypted.
    place_code = encrypted_column(str)
    #: That place's province P-code: a coded statistical value, plain like the stage, kept
    #: current with ``place_code`` and kept in the skeleton after erasure.
    province_pcode: Mapped[str | None] = mapped_column(String(30))
    referring_source = encrypted_column(str)
    #: The kind of source that referred the person: a code of the list ``referral_source``
    #: (:mod:`core.lists`), plain like the case type (a statistic; the name is above).
    referral_source: Mapped[str | None] = mapped_column(String(30))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship(back_populates="cases")
    vulnerabilities: Mapped[list[CaseVulnerability]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="case", order_by="CaseNote.created_at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def vulnerability_codes(self) -> list[str]:
        return sorted(v.code for v in self.vulnerabilities)


class CaseVulnerability(Base):
    """A vulnerability flag on a case (a code only; the details live in encrypted notes)."""

    __tablename__ = "case_vulnerability"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)

    case: Mapped[Case] = relationship(back_populates="vulnerabilities")


class CaseNote(UUIDPrimaryKey, Base):
    """An append-only note; a correction is a new note that names the one it corrects."""

    __tablename__ = "case_note"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_note.id"))
    body = encrypted_column(str, nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")


class CaseNumberCounter(Base):
    """The last case number issued per organisation and year (ORG-2026-000123)."""

    __tablename__ = "case_number_counter"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class EmergencyAccess(UUIDPrimaryKey, Base):
    """A time-limited "break-the-glass" grant to open one case outside one's scope.

    The reason is what the user typed to justify it (the form asks for no personal details,
    but free text may hold them all the same): encrypted under the person's key, so erasure
    shreds it; auditors are alerted to every grant and read the reason through audit's
    extension point.
    """

    __tablename__ = "emergency_access"
    __encryption_subject__ = "person_id"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    #: Empty only once the person is erased (nothing can be encrypted for them any more).
    reason = encrypted_column(str)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class CaseTransfer(UUIDPrimaryKey, Base):
    """A request to hand a case to another case-management organisation.

    Pending until a supervisor of the receiving organisation accepts or declines it; on
    acceptance the case moves and the sending organisation loses access. The decline reason
    is free text, encrypted under the person's key.
    """

    __tablename__ = "case_transfer"
    __encryption_subject__ = "person_id"
    # One pending transfer per case, even when two are requested at the same moment.
    __table_args__ = (
        Index(
            "uq_case_transfer_pending",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    from_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    to_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decline_reason = encrypted_column(str)


class CaseSearch(Base):
    """What one search found, for its result page: the case ids, never the term.

    Addressed by a random id, good only in the session that searched and for a short time,
    so Back and reload show the results again without sending the term a second time.
    """

    __tablename__ = "case_search"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_hash: Mapped[str] = mapped_column(
        ForeignKey("user_session.token_hash", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    case_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
