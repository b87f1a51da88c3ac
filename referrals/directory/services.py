"""Reading the directory: the filtered service list used by browsing and by referral choice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from auth.models import Organisation
from referrals.directory.models import (
    DirectoryOrganization,
    Service,
    ServiceArea,
    ServiceLanguage,
    ServiceTypeTerm,
)
from referrals.directory.vocabulary import ServiceStatus


@dataclass(frozen=True)
class ServiceFilters:
    """What a directory search narrows by; every field optional."""

    kind: str | None = None
    area: str | None = None
    language: str | None = None
    organization_id: uuid.UUID | None = None
    country: str | None = None
    status: str | None = None
    text: str | None = None
    #: Only active services of organizations linked to a Homeward provider (they can answer).
    only_referable: bool = False


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def service_query(filters: ServiceFilters) -> Select[Service]:
    stmt = select(Service).join(Service.organization)
    if filters.kind:
        stmt = stmt.where(
            Service.id.in_(
                select(ServiceTypeTerm.service_id).where(ServiceTypeTerm.code == filters.kind)
            )
        )
    if filters.language:
        stmt = stmt.where(
            Service.id.in_(
                select(ServiceLanguage.service_id).where(
                    ServiceLanguage.language == filters.language.lower()
                )
            )
        )
    if filters.area:
        pattern = f"%{_escape_like(filters.area.lower())}%"
        stmt = stmt.where(
            Service.id.in_(
                select(ServiceArea.service_id).where(
                    func.lower(ServiceArea.service_area).like(pattern, escape="\\")
                )
            )
        )
    if filters.organization_id:
        stmt = stmt.where(Service.organization_id == filters.organization_id)
    if filters.country:
        stmt = stmt.where(DirectoryOrganization.country == filters.country.upper())
    if filters.status:
        stmt = stmt.where(Service.status == filters.status)
    if filters.text:
        pattern = f"%{_escape_like(filters.text.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Service.name).like(pattern, escape="\\"),
                func.lower(Service.description).like(pattern, escape="\\"),
                func.lower(DirectoryOrganization.name).like(pattern, escape="\\"),
            )
        )
    if filters.only_referable:
        stmt = stmt.join(
            Organisation, Organisation.id == DirectoryOrganization.organisation_id
        ).where(
            Service.status == ServiceStatus.ACTIVE.value,
            Organisation.active.is_(True),
            Organisation.is_provider.is_(True),
        )
    return stmt.order_by(DirectoryOrganization.name, Service.name, Service.id)


def search_services(db: Session, filters: ServiceFilters, limit: int = 200) -> list[Service]:
    """Services matching ``filters``, with their organization, types, languages and areas."""
    stmt = (
        service_query(filters)
        .limit(limit)
        .options(
            selectinload(Service.organization),
            selectinload(Service.types),
            selectinload(Service.languages),
            selectinload(Service.areas),
        )
    )
    return list(db.scalars(stmt))


def referral_providers(db: Session) -> list[DirectoryOrganization]:
    """Directory organisations linked to a Homeward provider organisation, by name: the
    providers a caseworker may filter the referable services by."""
    return list(
        db.scalars(
            select(DirectoryOrganization)
            .where(DirectoryOrganization.organisation_id.is_not(None))
            .order_by(DirectoryOrganization.name, DirectoryOrganization.id)
        )
    )


def get_service(db: Session, service_id: uuid.UUID) -> Service | None:
    return db.get(Service, service_id)
