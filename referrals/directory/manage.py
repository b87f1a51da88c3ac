"""Managing the directory: organizations, services and locations, audited, with optimistic locking.

Each function takes the session and the acting administrator, changes state, records a
``directory.*`` audit event (ids and field names only) and flushes; the request commits.
An edit made against an older version raises :class:`core.exceptions.EditConflict`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth.models import Organisation
from core.clock import utcnow
from core.db import flush_or_conflict
from core.exceptions import EditConflict, ServiceError
from core.lists import queries as lists
from core.places.models import Level
from core.places.queries import chain, known_codes
from core.security import Actor
from referrals.directory import codes
from referrals.directory.models import (
    DirectoryOrganization,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTypeTerm,
)
from referrals.directory.vocabulary import SERVICE_TYPES, ServiceStatus


class DirectoryError(ServiceError):
    """A change the directory refuses; ``field`` names the form field at fault."""


@dataclass
class OrganizationDetails:
    name: str
    country: str
    alternate_name: str | None = None
    description: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    organisation_id: uuid.UUID | None = None


@dataclass
class LocationDetails:
    name: str
    country: str
    address_1: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class ServiceDetails:
    organization_id: uuid.UUID
    name: str
    status: str = ServiceStatus.ACTIVE.value
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    contact_name: str | None = None
    eligibility_description: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    capacity: int | None = None
    types: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    #: (service_area, country) pairs.
    areas: list[tuple[str, str]] = field(default_factory=list)
    #: P-codes of places served (core.places), besides the areas typed in.
    area_places: list[str] = field(default_factory=list)
    location_ids: list[uuid.UUID] = field(default_factory=list)


ORGANIZATION_FIELDS = tuple(f for f in OrganizationDetails.__dataclass_fields__)
LOCATION_FIELDS = tuple(f for f in LocationDetails.__dataclass_fields__)
SERVICE_SCALARS = (
    "organization_id",
    "name",
    "status",
    "alternate_name",
    "description",
    "url",
    "email",
    "phone",
    "contact_name",
    "eligibility_description",
    "application_process",
    "fees_description",
    "capacity",
)


def organization_values(org: DirectoryOrganization) -> dict[str, Any]:
    return {name: getattr(org, name) for name in ORGANIZATION_FIELDS}


def location_values(location: Location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in LOCATION_FIELDS}


def service_values(service: Service) -> dict[str, Any]:
    """What is stored, keyed like the service form's fields (for the conflict comparison)."""
    values: dict[str, Any] = {name: getattr(service, name) for name in SERVICE_SCALARS}
    values["types"] = service.type_codes
    values["languages"] = service.language_codes
    values["areas"] = [f"{a.service_area}, {a.country}" for a in service.areas if not a.place_pcode]
    values["area_places"] = sorted(a.place_pcode for a in service.areas if a.place_pcode)
    values["location_ids"] = sorted(str(sal.location_id) for sal in service.at_locations)
    return values


def provider_organisations(db: Session) -> list[Organisation]:
    """Homeward organisations a directory organization may be linked to."""
    stmt = (
        select(Organisation).where(Organisation.is_provider.is_(True)).order_by(Organisation.name)
    )
    return list(db.scalars(stmt))


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _check_country(code: str, field_name: str = "country") -> str:
    code = (code or "").strip().upper()
    if not codes.is_country(code):
        raise DirectoryError("Use a two-letter ISO country code, e.g. XK.", field_name)
    return code


def _check_link(
    db: Session, organisation_id: uuid.UUID | None, org: DirectoryOrganization | None
) -> None:
    if organisation_id is None:
        return
    linked = db.get(Organisation, organisation_id)
    if linked is None or not linked.is_provider:
        raise DirectoryError("Choose a Homeward organisation that provides services.", "link")
    other = db.scalar(
        select(DirectoryOrganization.id).where(
            DirectoryOrganization.organisation_id == organisation_id
        )
    )
    if other is not None and (org is None or other != org.id):
        raise DirectoryError(
            "That Homeward organisation is already linked to another directory entry.", "link"
        )


def _apply(obj: Any, wanted: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in wanted.items():
        value = _blank_to_none(value)
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _flush_or_conflict(db: Session, obj: Any, values: Callable[[], dict[str, Any]]) -> None:
    flush_or_conflict(db, lambda: EditConflict(values(), obj.version))


def _audit(
    db: Session, actor: Actor | None, action: str, kind: str, obj_id: uuid.UUID, **d: Any
) -> None:
    record(
        db,
        f"directory.{kind}_{action}",
        actor=actor,
        object_type=f"directory_{kind}",
        object_id=obj_id,
        details=d or None,
    )


def save_organization(
    db: Session,
    actor: Actor | None,
    details: OrganizationDetails,
    org: DirectoryOrganization | None = None,
    loaded_version: int | None = None,
) -> tuple[DirectoryOrganization, list[str]]:
    """Create (``org`` None) or update an organization; returns it and the changed fields."""
    if org is not None and org.version != loaded_version:
        raise EditConflict(organization_values(org), org.version)
    if not details.name.strip():
        raise DirectoryError("Type the organisation's name.", "name")
    details.country = _check_country(details.country)
    _check_link(db, details.organisation_id, org)
    created = org is None
    if org is None:
        org = DirectoryOrganization(id=uuid.uuid4())
        db.add(org)
    changed = _apply(org, asdict(details))
    if created or changed:
        org.updated_at = utcnow()
        _flush_or_conflict(db, org, lambda: organization_values(org))
        _audit(
            db, actor, "created" if created else "updated", "organization", org.id, fields=changed
        )
    return org, changed


def save_location(
    db: Session,
    actor: Actor | None,
    organization: DirectoryOrganization,
    details: LocationDetails,
    location: Location | None = None,
    loaded_version: int | None = None,
) -> tuple[Location, list[str]]:
    """Create or update a location of ``organization``."""
    if location is not None and location.version != loaded_version:
        raise EditConflict(location_values(location), location.version)
    if not details.name.strip():
        raise DirectoryError("Type the location's name.", "name")
    details.country = _check_country(details.country)
    created = location is None
    if location is None:
        location = Location(id=uuid.uuid4(), organization_id=organization.id)
        db.add(location)
    changed = _apply(location, asdict(details))
    if created or changed:
        _flush_or_conflict(db, location, lambda: location_values(location))
        _audit(
            db,
            actor,
            "created" if created else "updated",
            "location",
            location.id,
            organization_id=str(organization.id),
            fields=changed,
        )
    return location, changed


def _check_service(
    db: Session, details: ServiceDetails, held_types: set[str]
) -> DirectoryOrganization:
    """``held_types``: the kinds the service already has (kept even when retired)."""
    org = db.get(DirectoryOrganization, details.organization_id)
    if org is None:
        raise DirectoryError("Choose the organisation that offers the service.", "organization_id")
    if not details.name.strip():
        raise DirectoryError("Type the service's name.", "name")
    if details.status not in {s.value for s in ServiceStatus}:
        raise DirectoryError("Choose a status from the list.", "status")
    if not set(details.types) <= lists.offered(db, SERVICE_TYPES) | held_types:
        raise DirectoryError("Choose service types from the list.", "types")
    if not details.types:
        raise DirectoryError("Choose at least one type of service.", "types")
    if any(not codes.is_language(lang) for lang in details.languages):
        raise DirectoryError("Use ISO language codes, e.g. en, ps, ru.", "languages")
    for _area, country in details.areas:
        _check_country(country, "areas")
    if len(known_codes(db, details.area_places)) != len(set(details.area_places)):
        raise DirectoryError("Choose places from the list.", "area_places")
    if details.capacity is not None and details.capacity < 0:
        raise DirectoryError("Capacity cannot be negative.", "capacity")
    own = {loc.id for loc in org.locations}
    if any(loc_id not in own for loc_id in details.location_ids):
        raise DirectoryError("Choose locations of the same organisation.", "location_ids")
    return org


def _wanted_areas(db: Session, details: ServiceDetails) -> list[tuple[str, str, str | None]]:
    """(area, country, P-code) of the areas served: the places chosen, named as in the
    places list, then the areas typed in (less those a chosen place already names)."""
    chosen = []
    for pcode in sorted(set(details.area_places)):
        places = chain(db, pcode)
        if places:
            name = ", ".join(p.name for p in places if p.level != Level.COUNTRY)
            country = places[-1].country_code or ""
            chosen.append((name or places[0].name, country, pcode))
    named = {(a, c) for a, c, _p in chosen}
    typed = {(a.strip(), c.strip().upper()) for a, c in details.areas if a.strip()}
    return sorted(chosen + [(a, c, None) for a, c in typed if (a, c) not in named], key=str)


def _replace_areas(db: Session, service: Service, details: ServiceDetails) -> bool:
    areas = _wanted_areas(db, details)
    stored = sorted(((a.service_area, a.country, a.place_pcode) for a in service.areas), key=str)
    if areas == stored:
        return False
    keep = {(a.service_area, a.country, a.place_pcode): a for a in service.areas}
    service.areas = [
        keep.get((a, c, p))
        or ServiceArea(id=uuid.uuid4(), service_area=a, country=c, place_pcode=p)
        for a, c, p in areas
    ]
    return True


def _replace_children(db: Session, service: Service, details: ServiceDetails) -> list[str]:
    changed = []
    types = sorted(set(details.types))
    if types != service.type_codes:
        service.types = [ServiceTypeTerm(code=code) for code in types]
        changed.append("types")
    languages = sorted({lang.lower() for lang in details.languages})
    if languages != service.language_codes:
        service.languages = [ServiceLanguage(language=lang) for lang in languages]
        changed.append("languages")
    if _replace_areas(db, service, details):
        changed.append("areas")
    wanted = set(details.location_ids)
    if wanted != {sal.location_id for sal in service.at_locations}:
        keep_sal = {sal.location_id: sal for sal in service.at_locations}
        service.at_locations = [
            keep_sal.get(loc_id) or ServiceAtLocation(id=uuid.uuid4(), location_id=loc_id)
            for loc_id in sorted(wanted)
        ]
        changed.append("location_ids")
    return changed


def save_service(
    db: Session,
    actor: Actor | None,
    details: ServiceDetails,
    service: Service | None = None,
    loaded_version: int | None = None,
) -> tuple[Service, list[str]]:
    """Create or update a service with its types, languages, areas and locations."""
    if service is not None and service.version != loaded_version:
        raise EditConflict(service_values(service), service.version)
    _check_service(db, details, set(service.type_codes) if service is not None else set())
    created = service is None
    if service is None:
        service = Service(id=uuid.uuid4())
        db.add(service)
    scalars = {name: getattr(details, name) for name in SERVICE_SCALARS}
    changed = _apply(service, scalars) + _replace_children(db, service, details)
    if created or changed:
        service.updated_at = utcnow()
        _flush_or_conflict(db, service, lambda: service_values(service))
        _audit(
            db,
            actor,
            "created" if created else "updated",
            "service",
            service.id,
            organization_id=str(service.organization_id),
            fields=changed,
        )
    return service, changed
