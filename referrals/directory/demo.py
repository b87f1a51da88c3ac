"""Demo directory (development only): the demo clinic, an NGO that is listed only, and a
provider in another country, each with services of different types and languages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth.models import Organisation
from core.commands import DemoContext, DemoStep
from referrals.directory.manage import (
    LocationDetails,
    OrganizationDetails,
    ServiceDetails,
    save_location,
    save_organization,
    save_service,
)

#: (Homeward organisation code or None, organization, location, services)
#: services: (name, types, languages, areas, status, capacity, eligibility)
ServiceRow = tuple[str, list[str], list[str], list[tuple[str, str]], str, int | None, str | None]
DIRECTORY: list[tuple[str | None, OrganizationDetails, LocationDetails, list[ServiceRow]]] = [
    (
        "CLINIC",
        OrganizationDetails(
            name="Hope Psychosocial Centre (demo)",
            country="XK",
            email="info@hope-centre.demo.homeward.test",
            phone="+383 38 000 000",
            url="https://hope-centre.demo.homeward.test",
            description="Counselling, medical care and legal advice for returnees.",
        ),
        LocationDetails(
            name="Hope Centre Prishtina",
            country="XK",
            city="Prishtina",
            address_1="Rr. Nëna Terezë 1",
            postal_code="10000",
        ),
        [
            (
                "Psychosocial counselling",
                ["mental_health"],
                ["sq", "sr", "en"],
                [("Prishtina", "XK"), ("Prizren", "XK")],
                "active",
                12,
                "Adults and children who returned in the last two years.",
            ),
            (
                "Medical check-up on arrival",
                ["health"],
                ["sq", "en"],
                [("Prishtina", "XK")],
                "active",
                30,
                "Everyone who returned.",
            ),
            (
                "Legal advice and civil documents",
                ["legal", "documentation"],
                ["sq", "sr"],
                [("Kosovo", "XK")],
                "active",
                None,
                None,
            ),
        ],
    ),
    (
        None,
        OrganizationDetails(
            name="Bridges Vocational Network (demo)",
            country="XK",
            email="contact@bridges.demo.homeward.test",
            description="Training and start-up grants; not on Homeward, so it is listed only.",
        ),
        LocationDetails(name="Bridges training hall", country="XK", city="Peja"),
        [
            (
                "Vocational training in trades",
                ["vocational_training", "employment"],
                ["sq"],
                [("Peja", "XK"), ("Gjakova", "XK")],
                "active",
                20,
                "Aged 18 to 35.",
            ),
            (
                "Small business start-up grants",
                ["business_grant"],
                ["sq", "tr"],
                [("Kosovo", "XK")],
                "temporarily closed",
                5,
                None,
            ),
        ],
    ),
    (
        "HAVEN",
        OrganizationDetails(
            name="Haven Reintegration Services (demo)",
            country="DE",
            email="kontakt@haven.demo.homeward.test",
            url="https://haven.demo.homeward.test",
            description="Shelter and counselling before and after return, in Germany.",
        ),
        LocationDetails(name="Haven Berlin", country="DE", city="Berlin", postal_code="10115"),
        [
            (
                "Safe shelter for survivors of trafficking",
                ["shelter"],
                ["de", "en", "ru"],
                [("Berlin", "DE")],
                "active",
                8,
                "Women and children referred by a case agency.",
            ),
            (
                "Counselling before return",
                ["mental_health", "family_tracing"],
                ["de", "sq", "ar"],
                [("Berlin", "DE"), ("Brandenburg", "DE")],
                "active",
                15,
                None,
            ),
        ],
    ),
]


def load_demo(session: Session, context: DemoContext) -> None:
    organisations: dict[str, Organisation] = context.objects.get("organisations", {})
    for code, org_details, location_details, services in DIRECTORY:
        linked = organisations.get(code) if code else None
        org_details.organisation_id = linked.id if linked else None
        org, _ = save_organization(session, None, org_details)
        location, _ = save_location(session, None, org, location_details)
        for name, types, languages, areas, status, capacity, eligibility in services:
            save_service(
                session,
                None,
                ServiceDetails(
                    organization_id=org.id,
                    name=name,
                    status=status,
                    types=types,
                    languages=languages,
                    areas=areas,
                    capacity=capacity,
                    eligibility_description=eligibility,
                    location_ids=[location.id],
                    email=org.email,
                ),
            )
        session.refresh(org)


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(30, load_demo)
