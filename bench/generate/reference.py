"""The organisations, staff accounts, directory services, places and survey that generated
cases use: made once through the app's own services (``auth.admin``, the places import,
``current_survey``), found again on later runs."""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.clock import utcnow

from .tables import AGENCIES, EMAIL_DOMAIN, PASSWORD, PROVIDERS, TEAM_SIZE, staffing, teams


@dataclass
class Reference:
    """Ids of the organisations, staff and directory the generated cases use."""

    agencies: list[Agency]
    agency_codes: list[str]
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

    def password_hash(self) -> str:
        """The hash of ``PASSWORD`` every generated account gets (one argon2 run per run)."""
        from auth.passwords import hash_password
        from auth.services import hash_params

        if not self.hashed:
            self.hashed.append(hash_password(PASSWORD, hash_params(self.settings.auth)))
        return self.hashed[0]

    def user(self, org: Any, email: str, name: str, role: Any) -> uuid.UUID:
        """One account through ``auth.admin.create_user`` (audited), found again later."""
        from auth import admin
        from auth.models import User

        found = self.db.scalar(select(User).where(User.email == email))
        if found is not None:
            return found.id
        made = admin.create_user(
            self.db, None, email=email, display_name=name, organisation=org, role=role
        )
        made.password_hash, made.password_changed_at = self.password_hash(), utcnow()
        return made.id

    def users(self, org: Any, wanted: list[tuple[str, str, Any]]) -> list[uuid.UUID]:
        """The ids of the accounts ``wanted`` ((e-mail, name, role), in order) of ``org``:
        the first made through :meth:`user` (audited), every other missing one inserted in
        one bulk statement (thousands of staff at a million people)."""
        from auth.models import User

        if not wanted:
            return []
        self.user(org, *wanted[0])
        existing = dict(
            self.db.execute(select(User.email, User.id).where(User.organisation_id == org.id)).all()
        )
        now = utcnow()
        rows = [
            {
                "id": uuid.uuid4(),
                "email": email,
                "display_name": name,
                "organisation_id": org.id,
                "role": role.value,
                "preferred_language": "en",
                "active": True,
                "failed_logins": 0,
                "failures_since_success": 0,
                "password_hash": self.password_hash(),
                "password_changed_at": now,
                "created_at": now,
            }
            for email, name, role in wanted
            if email not in existing
        ]
        if rows:
            self.db.execute(insert(User.__table__), rows)
            existing.update((row["email"], row["id"]) for row in rows)
        return [existing[email] for email, _n, _r in wanted]


@dataclass
class Agency:
    """One case agency's staff: caseworkers in order, and the supervisor of each one's team."""

    id: uuid.UUID
    caseworkers: list[uuid.UUID]
    supervisors: list[uuid.UUID]

    def supervisor_of(self, worker: int) -> uuid.UUID:
        return self.supervisors[worker // TEAM_SIZE]


def agency(staff: Staff, code: str, name: str, caseworkers: int) -> Agency:
    """The agency with ``caseworkers`` caseworkers (at least: more from earlier runs are kept
    off the new cases) in teams of ``TEAM_SIZE``, each with its supervisor."""
    from core.permissions import Role

    org = staff.organisation(code, name, "AF", True)
    low = code.lower()
    supervisors = staff.users(
        org,
        [
            (f"supervisor{n}@{low}.{EMAIL_DOMAIN}", f"Supervisor {n} {code}", Role.SUPERVISOR)
            for n in range(1, teams(caseworkers) + 1)
        ],
    )
    workers = staff.users(
        org,
        [
            (f"caseworker{n}@{low}.{EMAIL_DOMAIN}", f"Caseworker {n} {code}", Role.CASEWORKER)
            for n in range(1, caseworkers + 1)
        ],
    )
    return Agency(org.id, workers, supervisors)


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


def ensure_reference(db: Session, settings: Any, people: int) -> Reference:
    """Organisations, staff for ``people`` cases (:func:`.tables.staffing`), directory
    services, places and the survey (made once, staff added as the population grows)."""
    from casework.monitoring.services import current_survey
    from casework.vocabulary import REFERRAL_SOURCES
    from core.lists import queries as lists

    provinces = district_provinces()
    ensure_places(db, provinces)
    staff = Staff(db, settings)
    wanted = staffing(people)
    agencies = [
        agency(staff, code, name, n) for (code, name, _w), n in zip(AGENCIES, wanted, strict=True)
    ]
    provider_list, service_types = providers(staff)
    survey = current_survey(db)
    db.flush()
    return Reference(
        agencies=agencies,
        agency_codes=[code for code, _n, _w in AGENCIES],
        providers=provider_list,
        survey_id=survey.id,
        survey_definition=survey.definition,
        provinces=provinces,
        referral_sources=sorted(lists.offered(db, REFERRAL_SOURCES)),
        service_types=service_types,
    )
