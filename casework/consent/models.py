"""Legal bases recorded on a case: consent (with its scope of sharing) or another basis.

A record is never edited, only withdrawn; a change of mind is a new record. The scope of
sharing is kept in plain association rows (organisation ids, service-type codes) so Referrals
can ask "may this case be shared with that provider?" in SQL; purpose and justification are
encrypted under the person's data key.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class LegalBasisRecord(UUIDPrimaryKey, Base):
    __tablename__ = "legal_basis"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    basis: Mapped[str] = mapped_column(String(30))
    purpose = encrypted_column(str)
    justification = encrypted_column(str)
    given_by: Mapped[str | None] = mapped_column(String(30))
    guardian_name = encrypted_column(str)
    child_assent: Mapped[str | None] = mapped_column(String(20))
    method: Mapped[str | None] = mapped_column(String(20))
    given_on: Mapped[date | None] = mapped_column()
    any_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason = encrypted_column(str)

    organisations: Mapped[list[LegalBasisOrganisation]] = relationship(
        back_populates="legal_basis", cascade="all, delete-orphan"
    )
    service_types: Mapped[list[LegalBasisServiceType]] = relationship(
        back_populates="legal_basis", cascade="all, delete-orphan"
    )

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def organisation_ids(self) -> set[uuid.UUID]:
        return {o.organisation_id for o in self.organisations}

    @property
    def service_type_codes(self) -> list[str]:
        return sorted(s.code for s in self.service_types)

    @property
    def shares(self) -> bool:
        """True when this basis covers any sharing at all (not only processing in-house)."""
        return self.any_provider or bool(self.organisations) or bool(self.service_types)

    def covers(
        self, organisation_id: uuid.UUID | None = None, service_type: str | None = None
    ) -> bool:
        """Whether sharing with this provider and/or for this service type is within scope.

        No organisation listed (and not "any provider") but service types listed means any
        provider of those types; no service type listed means every type.
        """
        if organisation_id is None and service_type is None:
            return True
        if not self.shares:
            return False
        organisation_ok = (
            organisation_id is None
            or self.any_provider
            or not self.organisations
            or organisation_id in self.organisation_ids
        )
        service_ok = (
            service_type is None
            or not self.service_types
            or service_type in self.service_type_codes
        )
        return organisation_ok and service_ok


class LegalBasisOrganisation(Base):
    """A provider organisation a legal basis allows sharing with."""

    __tablename__ = "legal_basis_organisation"

    legal_basis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("legal_basis.id"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, index=True
    )

    legal_basis: Mapped[LegalBasisRecord] = relationship(back_populates="organisations")


class LegalBasisServiceType(Base):
    """A service type (``ServiceType`` code) a legal basis allows sharing for."""

    __tablename__ = "legal_basis_service_type"

    legal_basis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("legal_basis.id"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(30), primary_key=True)

    legal_basis: Mapped[LegalBasisRecord] = relationship(back_populates="service_types")
