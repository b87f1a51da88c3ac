"""Demo people and cases (development only), searchable in Latin, Cyrillic and Arabic script."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import services
from casework.models import Case
from casework.vocabulary import CaseType, RiskLevel, Sex, Stage, Vulnerability
from core.clock import utcnow
from core.commands import DemoContext, DemoStep
from core.permissions import Role
from core.security import Actor

#: (original script, Latin, sex, date of birth, nationality, document number)
NAMED = [
    ("فریده نظری", "Farida Nazari", Sex.FEMALE, date(1994, 3, 15), "AF", "P1234567"),
    ("Рустам Алиев", "Rustam Aliev", Sex.MALE, date(1988, 7, 2), "TJ", "N5550123"),
    ("Айгерим Садыкова", "Aigerim Sadykova", Sex.FEMALE, date(2001, 11, 30), "KG", "AC0987654"),
    ("احمد رحیمی", "Ahmad Rahimi", Sex.MALE, date(1979, 1, 20), "AF", None),
    ("Nilufar Karimova", "Nilufar Karimova", Sex.FEMALE, date(1996, 5, 9), "UZ", "FA7654321"),
]
GIVEN = [
    "Zarina",
    "Timur",
    "Malika",
    "Bekzod",
    "Gulnara",
    "Shirin",
    "Omid",
    "Laila",
    "Sardor",
    "Dilnoza",
    "Javid",
    "Nargis",
    "Farhod",
    "Madina",
    "Arash",
    "Parisa",
    "Rashid",
    "Sevara",
    "Karim",
    "Yasmin",
    "Anvar",
    "Feruza",
    "Daler",
    "Mehri",
    "Navid",
]
FAMILY = [
    "Yusupova",
    "Rahmonov",
    "Ahmadi",
    "Tursunov",
    "Haidari",
    "Ismoilova",
    "Sultani",
    "Nazarov",
    "Mirzaei",
    "Qodirova",
]

#: Districts of the demo places (core/places/afghanistan.csv) Afghan returnees come back to.
DEMO_PLACES = ("AF0101", "AF3002", "AF0601", "AF2101", "AF3301")

#: People (by position) whose exact date of birth is unknown, only the year.
YEAR_ONLY = frozenset({12, 24})


def load_demo(session: Session, context: DemoContext) -> None:
    users = context.objects["users"]
    workers = [users["caseworker@demo.homeward.test"], users["caseworker2@demo.homeward.test"]]
    rng = random.Random(20261128)  # the same demo every time
    today = utcnow().date()
    people = [*NAMED]
    for i in range(25):
        given, family = GIVEN[i], FAMILY[i % len(FAMILY)]
        born = date(1960 + rng.randrange(50), rng.randrange(1, 13), rng.randrange(1, 29))
        people.append(
            (
                f"{given} {family}",
                f"{given} {family}",
                Sex.FEMALE if family.endswith("a") else Sex.MALE,
                born,
                rng.choice(["AF", "TJ", "UZ", "KG", "IR"]),
                None,
            )
        )
    stages = list(Stage)
    for i, (original, latin, sex, born, nationality, document) in enumerate(people):
        worker = workers[0] if i < 20 else workers[1]
        actor = Actor(worker.id, Role(worker.role), worker.organisation_id)
        details = services.PersonDetails(
            name_original=original,
            name_latin=latin if latin != original else None,
            # Some know only the year they were born: a search by that year finds them.
            date_of_birth=None if i in YEAR_ONLY else born,
            estimated_birth_year=born.year if i in YEAR_ONLY else None,
            sex=sex.value,
            nationality=nationality,
            languages=["fa"] if nationality == "AF" else ["ru"],
            address={"country": "XK", "region": rng.choice(["North", "South", "Capital"])},
        )
        documents = (
            [services.DocumentDetails("passport", document, nationality)] if document else []
        )
        case_type = rng.choice(list(CaseType)) if i else CaseType.PRESUMED_VICTIM
        vulnerabilities = rng.sample(list(Vulnerability)[:10], rng.randrange(0, 3))
        if case_type is not CaseType.RETURNEE:
            vulnerabilities.append(Vulnerability.TRAFFICKING_VICTIM)
        case = services.register_case(
            session,
            actor,
            details,
            documents,
            services.CaseDetails(
                case_type=case_type,
                event_date=today - timedelta(days=rng.randrange(1, 300)),
                place=rng.choice(["Border point East", "Airport", "Transit centre"]),
                place_code=DEMO_PLACES[i % len(DEMO_PLACES)] if nationality == "AF" else None,
                vulnerabilities=vulnerabilities,
                risk_level=rng.choice(list(RiskLevel)).value,
            ),
        )
        case.stage = stages[i % (len(stages) - 1)].value
        case.opened_at = utcnow() - timedelta(days=300 - i * 9)
    session.flush()
    context.objects["cases"] = session.scalar(select(func.count()).select_from(Case))


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(20, load_demo)
