"""Referral models; the service directory's models live in ``referrals.directory.models``.

A referral sends a chosen subset of one case's fields to one directory service under one
legal basis. Free text (reason, decline reason, outcome, ...) is personal data and encrypted
under the person's data key; states, codes, ids and times are plain so lists, counts and the
conditional "answer only while sent" update run in SQL.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey
from referrals.directory.models import (
    DirectoryOrganization,
    Service,
)


class Referral(UUIDPrimaryKey, Base):
    __tablename__ = "referral"
    __encryption_subject__ = "person_id"

    #: Human-readable, unique, no personal data: ``REF-2026-000123`` (safe in e-mails).
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("directory_service.id"), index=True)
    directory_organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("directory_organization.id")
    )
    #: The Homeward organisation whose staff answer (the directory organization's link).
    provider_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    referrer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    referring_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    #: One of :class:`referrals.vocabulary.Urgency`.
    urgency: Mapped[str] = mapped_column(String(20))
    reason = encrypted_column(str)
    #: The consent (or other recorded basis) the sharing relies on.
    legal_basis_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("legal_basis.id"), index=True
    )
    #: A basis code (``casework.consent.vocabulary.LegalBasis``) when no record is linked.
    other_basis: Mapped[str | None] = mapped_column(String(30))
    other_justification = encrypted_column(str)
    #: One of :class:`referrals.vocabulary.ReferralState`.
    state: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: UTC deadline for the provider's answer; past it, a sent referral expires.
    respond_by: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    #: Set by the provider on acceptance.
    expected_completion: Mapped[date | None] = mapped_column()
    #: When it reached a final state (completed, not completed, cancelled, expired).
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decline_reason = encrypted_column(str)
    outcome = encrypted_column(str)
    outcome_date: Mapped[date | None] = mapped_column()
    not_completed_reason = encrypted_column(str)
    cancel_reason = encrypted_column(str)
    cancelled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    #: The provider is in another country than the referring organisation.
    transnational: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ISO 3166-1 alpha-2 of the provider's directory organization.
    provider_country: Mapped[str | None] = mapped_column(String(2))
    #: The referring side's contact for the provider: free text (it may name anyone), so
    #: encrypted under the person's key like the other texts.
    referrer_contact = encrypted_column(str)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    shared_fields: Mapped[list[ReferralSharedField]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralEvent.at"
    )
    service: Mapped[Service] = relationship()
    directory_organization: Mapped[DirectoryOrganization] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def shared_codes(self) -> list[str]:
        return sorted(f.code for f in self.shared_fields)


class ReferralSharedField(Base):
    """One field of the person or case shared with the provider (a code of the catalogue)."""

    __tablename__ = "referral_shared_field"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)

    referral: Mapped[Referral] = relationship(back_populates="shared_fields")


class ReferralEvent(UUIDPrimaryKey, Base):
    """A transition of a referral: from which state to which, who, when, and a reason code."""

    __tablename__ = "referral_event"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    #: None for transitions the system makes (expiry).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A code, never free text: e.g. ``consent_withdrawn``, ``deadline_passed``.
    reason_code: Mapped[str | None] = mapped_column(String(40))

    referral: Mapped[Referral] = relationship(back_populates="events")


class ReferralReferenceCounter(Base):
    """The last reference number handed out per year (row-locked while allocating)."""

    __tablename__ = "referral_reference_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
