"""The organisations, staff accounts, directory services, places and survey that generated
cases use: made once through the app's own services (``auth.admin``, the places import,
``current_survey``), found again on later runs."""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow

from .tables import AGENCIES, CASEWORKERS_PER_AGENCY, EMAIL_DOMAIN, PASSWORD, PROVIDERS


@dataclass
class Reference:
    """Ids of the organisations, staff and directory the generated cases use."""

    agencies: list[uuid.UUID]
    agency_codes: list[str]
    caseworkers: list[list[uuid.UUID]]
    supervisors: list[uuid.UUID]
    providers: list[dict[str, Any]]
    survey_id: uuid.UUID
    survey_definition: dict[str, Any]
    provinces: dict[str, str]
    referral_sources: list[str]
    #: Directory service id -> its type codes, sorted (``Service.type_codes``).
    service_types: dict[uuid.UUID, list[str]]


def places_file() -> Path:
    from core.places.demo import DEMO_FILE

    return DEMO_FILE


def district_provinces() -> dict[str, str]:
    """District P-code -> province P-code of the places shipped with the code (the demo's)."""
    with places_file().open(encoding="utf-8") as fh:
        return {row["admin2_pcode"]: row["admin1_pcode"] for row in csv.DictReader(fh)}


def ensure_places(db: Session, provinces: dict[str, str]) -> None:
    from core.places import services as place_services
    from core.places.queries import known_codes

    if not known_codes(db, list(provinces)[:1]):
        report = place_services.import_places(db, places_file().read_bytes(), source="command")
        if not report.ok:
            raise SystemExit("; ".join(str(p) for p in report.problems))


class Staff:
    """Finds or makes organisations and accounts; one password hash for every account."""

    def __init__(self, db: Session, settings: Any) -> None:
        self.db, self.settings = db, settings
        self.hashed: list[str] = []

    def organisation(self, code: str, name: str, country: str, agency: bool) -> Any:
        from auth import admin
        from auth.models import Organisation

        found = self.db.scalar(select(Organisation).where(Organisation.code == code))
        if found is not None:
            return found
        return admin.create_organisation(
            self.db,
            None,
            name=name,
            code=code,
            country=country,
            is_case_agency=agency,
            is_provider=not agency,
        )

    def user(self, org: Any, email: str, name: str, role: Any) -> uuid.UUID:
        from auth import admin
        from auth.models import User

        found = self.db.scalar(select(User).where(User.email == email))
        if found is not None:
            return found.id
        # The first account's password is hashed by create_user; the others get that hash
        # (one argon2 run instead of one per account).
        made = admin.create_user(
            self.db,
            None,
            email=email,
            display_name=name,
            organisation=org,
            role=role,
            password=None if self.hashed else PASSWORD,
            settings=self.settings.auth,
        )
        if self.hashed:
            made.password_hash, made.password_changed_at = self.hashed[0], utcnow()
        else:
            assert made.password_hash is not None
            self.hashed.append(made.password_hash)
        return made.id


def agencies(staff: Staff) -> tuple[list[uuid.UUID], list[str], list[Any], list[uuid.UUID]]:
    """The case agencies: ids, codes, caseworkers of each, supervisor of each."""
    from core.permissions import Role

    ids, codes, workers, supervisors = [], [], [], []
    for code, name, _weight in AGENCIES:
        org = staff.organisation(code, name, "AF", True)
        ids.append(org.id)
        codes.append(code)
        low = code.lower()
        supervisors.append(
            staff.user(
                org, f"supervisor@{low}.{EMAIL_DOMAIN}", f"Supervisor {code}", Role.SUPERVISOR
            )
        )
        workers.append(
            [
                staff.user(
                    org,
                    f"caseworker{n}@{low}.{EMAIL_DOMAIN}",
                    f"Caseworker {n} {code}",
                    Role.CASEWORKER,
                )
                for n in range(1, CASEWORKERS_PER_AGENCY + 1)
            ]
        )
    return ids, codes, workers, supervisors


def directory_entry(db: Session, org: Any, name: str, country: str, services: list[Any]) -> Any:
    """The provider's directory organisation, with its services made the first time."""
    from referrals.directory.models import DirectoryOrganization, Service, ServiceTypeTerm

    directory = db.scalar(
        select(DirectoryOrganization).where(DirectoryOrganization.organisation_id == org.id)
    )
    if directory is None:
        directory = DirectoryOrganization(
            id=uuid.uuid4(), name=name, country=country, organisation_id=org.id
        )
        db.add(directory)
        for service_name, types in services:
            db.add(
                Service(
                    id=uuid.uuid4(),
                    organization_id=directory.id,
                    name=service_name,
                    status="active",
                    types=[ServiceTypeTerm(code=t) for t in types],
                )
            )
        db.flush()
    return directory


def providers(staff: Staff) -> tuple[list[dict[str, Any]], dict[uuid.UUID, list[str]]]:
    """The providers (organisation, directory entry, country, staff account, service ids) and
    the type codes of every service."""
    from core.permissions import Role
    from referrals.directory.models import Service

    found, types = [], {}
    for code, name, country, services in PROVIDERS:
        org = staff.organisation(code, name, country, False)
        account = staff.user(
            org, f"staff@{code.lower()}.{EMAIL_DOMAIN}", f"Staff {code}", Role.PROVIDER_STAFF
        )
        directory = directory_entry(staff.db, org, name, country, services)
        offered = list(
            staff.db.scalars(
                select(Service)
                .where(Service.organization_id == directory.id)
                .order_by(Service.name)
            )
        )
        types.update({service.id: service.type_codes for service in offered})
        found.append(
            {
                "organisation": org.id,
                "directory": directory.id,
                "country": country,
                "staff": account,
                "services": [service.id for service in offered],
            }
        )
    return found, types


def ensure_reference(db: Session, settings: Any) -> Reference:
    """Organisations, staff, directory services, places and the survey (made once)."""
    from casework.monitoring.services import current_survey
    from casework.vocabulary import REFERRAL_SOURCES
    from core.lists import queries as lists

    provinces = district_provinces()
    ensure_places(db, provinces)
    staff = Staff(db, settings)
    agency_ids, codes, workers, supervisors = agencies(staff)
    provider_list, service_types = providers(staff)
    survey = current_survey(db)
    db.flush()
    return Reference(
        agencies=agency_ids,
        agency_codes=codes,
        caseworkers=workers,
        supervisors=supervisors,
        providers=provider_list,
        survey_id=survey.id,
        survey_definition=survey.definition,
        provinces=provinces,
        referral_sources=sorted(lists.offered(db, REFERRAL_SOURCES)),
        service_types=service_types,
    )
