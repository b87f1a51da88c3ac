from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.permissions import Role
from referrals.directory.manage import (
    LocationDetails,
    OrganizationDetails,
    ServiceDetails,
    save_location,
    save_organization,
    save_service,
)
from tests.factories import make_account, make_organisation, sign_in


@dataclass
class Directory:
    """A small directory: a linked clinic in XK with two services, an NGO in DE with one."""

    clinic: object
    ngo: object
    counselling: object
    legal: object
    shelter: object
    provider: object


def build_directory(app, db) -> Directory:
    provider = make_organisation(app, db, agency=False, provider=True)
    with app.app_context():
        clinic, _ = save_organization(
            db,
            None,
            OrganizationDetails(name="Hope Clinic", country="XK", organisation_id=provider.id),
        )
        ngo, _ = save_organization(db, None, OrganizationDetails(name="Berlin Haven", country="DE"))
        centre, _ = save_location(
            db, None, clinic, LocationDetails(name="Centre", country="XK", city="Prishtina")
        )
        counselling, _ = save_service(
            db,
            None,
            ServiceDetails(
                organization_id=clinic.id,
                name="Trauma counselling",
                description="Individual sessions",
                types=["mental_health"],
                languages=["sq", "en"],
                areas=[("Prishtina", "XK")],
                capacity=10,
                eligibility_description="Adults who returned",
                location_ids=[centre.id],
            ),
        )
        legal, _ = save_service(
            db,
            None,
            ServiceDetails(
                organization_id=clinic.id,
                name="Legal aid desk",
                status="inactive",
                types=["legal", "documentation"],
                languages=["sr"],
                areas=[("Prizren", "XK")],
            ),
        )
        shelter, _ = save_service(
            db,
            None,
            ServiceDetails(
                organization_id=ngo.id,
                name="Night shelter",
                types=["shelter"],
                languages=["de", "ar"],
                areas=[("Berlin", "DE")],
            ),
        )
        db.commit()
    return Directory(clinic, ngo, counselling, legal, shelter, provider)


@pytest.fixture
def directory(app, db_session) -> Directory:
    return build_directory(app, db_session)


@pytest.fixture
def admin(app, db_session):
    return make_account(app, db_session, Role.ADMINISTRATOR)


@pytest.fixture
def caseworker(app, db_session):
    return make_account(app, db_session, Role.CASEWORKER)


@pytest.fixture
def as_admin(client, db_session, admin):
    sign_in(client, admin, db_session)
    return client


@pytest.fixture
def as_caseworker(client, db_session, caseworker):
    sign_in(client, caseworker, db_session)
    return client
