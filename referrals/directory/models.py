"""The service directory, shaped like Open Referral HSDS (organization, service, location,
service_at_location, language, service_area, taxonomy terms).

Nothing here is personal data: it is public information about organisations and what they
offer, so it is not encrypted. A directory organization may be linked to a Homeward
organisation (a provider with staff accounts); only services of linked organizations can
receive referrals, because someone has to answer them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import Organisation
from core.clock import utcnow
from core.db import Base, UUIDPrimaryKey


class DirectoryOrganization(UUIDPrimaryKey, Base):
    """HSDS ``organization``."""

    __tablename__ = "directory_organization"

    name: Mapped[str] = mapped_column(String(200))
    alternate_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    url: Mapped[str | None] = mapped_column(String(500))
    #: ISO 3166-1 alpha-2; a provider in another country makes its referrals transnational.
    country: Mapped[str] = mapped_column(String(2))
    #: The Homeward provider organisation whose staff answer this organization's referrals.
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Optimistic locking: an edit saved against an older version is refused, not merged.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    #: The linked Homeward organisation (None when the organization is listed only).
    provider_organisation: Mapped[Organisation | None] = relationship()
    services: Mapped[list[Service]] = relationship(
        back_populates="organization", order_by="Service.name"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="organization", order_by="Location.name"
    )


class Service(UUIDPrimaryKey, Base):
    """HSDS ``service``, with Homeward's taxonomy codes, languages and areas served."""

    __tablename__ = "directory_service"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("directory_organization.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    alternate_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    #: One of :class:`referrals.directory.vocabulary.ServiceStatus`.
    status: Mapped[str] = mapped_column(String(20), default="active")
    #: HSDS ``eligibility_description``.
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    #: How many new people the service can take at a time (None when not stated).
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[DirectoryOrganization] = relationship(back_populates="services")
    types: Mapped[list[ServiceTypeTerm]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    languages: Mapped[list[ServiceLanguage]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    areas: Mapped[list[ServiceArea]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    @property
    def type_codes(self) -> list[str]:
        return sorted(t.code for t in self.types)

    @property
    def language_codes(self) -> list[str]:
        return sorted(lang.language for lang in self.languages)


class ServiceTypeTerm(Base):
    """A taxonomy term attached to a service (HSDS ``service_attribute``/``taxonomy_term``)."""

    __tablename__ = "directory_service_type"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("directory_service.id"), primary_key=True
    )
    #: One of :class:`referrals.directory.vocabulary.ServiceType`.
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)

    service: Mapped[Service] = relationship(back_populates="types")


class ServiceLanguage(Base):
    """HSDS ``language``: a language the service is offered in (ISO 639-1 code)."""

    __tablename__ = "directory_service_language"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("directory_service.id"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)

    service: Mapped[Service] = relationship(back_populates="languages")


class ServiceArea(UUIDPrimaryKey, Base):
    """HSDS ``service_area``: a place the service covers (a region or city, and its country)."""

    __tablename__ = "directory_service_area"
    __table_args__ = (UniqueConstraint("service_id", "service_area", "country"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("directory_service.id"), index=True)
    service_area: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    #: The place (core.places P-code) the area was chosen from; None for an area typed in.
    place_pcode: Mapped[str | None] = mapped_column(String(30), index=True)

    service: Mapped[Service] = relationship(back_populates="areas")


class Location(UUIDPrimaryKey, Base):
    """HSDS ``location`` with its physical address folded in."""

    __tablename__ = "directory_location"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("directory_organization.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address_1: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[DirectoryOrganization] = relationship(back_populates="locations")
    services_here: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )


class ServiceAtLocation(UUIDPrimaryKey, Base):
    """HSDS ``service_at_location``: a service offered at a location."""

    __tablename__ = "directory_service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("directory_service.id"), index=True)
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("directory_location.id"), index=True)

    service: Mapped[Service] = relationship(back_populates="at_locations")
    location: Mapped[Location] = relationship(back_populates="services_here")
