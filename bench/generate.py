"""Fill a Homeward database with a realistic generated population (issue 18, item 1).

    .venv/bin/python bench/generate.py --people N [--audit-events M] --database-url URL
                                       [--seed S] [--append] [--chunk 1000]

Keys come from ``HOMEWARD_KEY_FILE`` (the settings' default when unset) and a development key
file is created there when missing. A database without tables is created (SQLite file) and
migrated to head; a database that already holds cases is refused unless ``--append``.

What is written, and how
------------------------
Every personal value goes through the app's own encryption and blind-index code. People,
documents, cases, screenings, consents, needs assessments, plans with actions and reviews,
monitoring visits, closures and referrals with their events are the project's model classes,
with encrypted attributes set as the services set them. A chunk of ``--chunk`` people (one
commit each) is then written without the unit of work, which costs more than everything
else at this scale:

* each object goes through ``core.crypto.fields._encrypt_pending`` -- the very step a flush
  runs -- which encrypts its values under the person's data key and computes its blind-index
  rows; then every table gets one multi-row ``INSERT`` (parents first) and the blind index one
  more (``core.crypto.blind_index.insert_entries``);
* data keys are made with the keystore's own steps (``Crypto.wrap`` of a fresh random key, put
  in the session's key cache as ``core.crypto.keystore.subject_key`` does), with no SELECT;
* case numbers and referral references are counted in memory per organisation and year, and
  ``CaseNumberCounter`` / ``ReferralReferenceCounter`` are brought up to date per chunk;
* stages are set as the workflow leaves them (identification; assessment once screened and
  assessed, with or without consent recorded; planning with a draft plan; implementation once
  the plan is approved, with or without referrals; monitoring after visits; closed after an
  approved closure, from any of those), without ``casework.stages.advance``;
* skeletons: each case's skeleton and its detail rows are built by the app's own
  ``casework.skeleton.services.refresh_skeleton`` (what the skeleton tracker and
  ``fill_missing`` call), once per case after the chunk's rows are written, and flushed in one
  go per chunk. The skeleton tracker's flush listeners are taken off while chunks are written,
  and ``fill_missing`` runs at the end (it finds nothing to do);
* the audit events of ``--audit-events`` are appended in batches of 5,000, hashed by
  ``audit.chain.event_hash`` / ``canonical_details`` as ``audit.services.record`` does,
  under the chain's lock (``lock_chain``), so ``homeward audit verify`` passes. Generating
  people records no audit events of its own.

Organisations and staff accounts go through ``auth.admin`` (audited as usual; one password
hash is computed and given to every account), the places shipped with the code through
``core.places.services.import_places`` when none are imported, and the survey through
``casework.monitoring.services.current_survey``. Every staff account signs in with the password
printed at the end (no second factor is set up: supervisors must enrol one when the settings
require it).

With the same ``--seed`` two runs give the same people (names, dates, stages, counts); ids,
data keys and timestamps relative to today differ.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.config import Settings

if TYPE_CHECKING:
    from casework.models import Case

#: Every staff account of the generated organisations signs in with this password.
PASSWORD = "generated staff password 2026"
EMAIL_DOMAIN = "generated.homeward.test"

# --- names ----------------------------------------------------------------------------------
# Latin transliterations of Afghan (Dari / Pashto) names, then the same names in Arabic script
# (same position: the Latin form is kept as name_latin), then Central Asian names in Cyrillic.
AF_MALE = [
    ("Mohammad", "محمد"),
    ("Ahmad", "احمد"),
    ("Abdul", "عبدل"),
    ("Ali", "علی"),
    ("Hamid", "حمید"),
    ("Jawad", "جواد"),
    ("Khalid", "خالد"),
    ("Mustafa", "مصطفی"),
    ("Nasir", "ناصر"),
    ("Rahim", "رحیم"),
    ("Sayed", "سید"),
    ("Zabihullah", "ذبیح‌الله"),
    ("Hekmatullah", "حکمت‌الله"),
    ("Naveed", "نوید"),
    ("Farid", "فرید"),
    ("Wahid", "وحید"),
    ("Bashir", "بشیر"),
    ("Habib", "حبیب"),
    ("Qasim", "قاسم"),
    ("Rahmatullah", "رحمت‌الله"),
    ("Najibullah", "نجیب‌الله"),
    ("Omid", "امید"),
    ("Javid", "جاوید"),
    ("Shafiq", "شفیق"),
    ("Latif", "لطیف"),
    ("Samiullah", "سمیع‌الله"),
    ("Ismail", "اسماعیل"),
    ("Yama", "یما"),
    ("Murtaza", "مرتضی"),
    ("Sohrab", "سهراب"),
]
AF_FEMALE = [
    ("Fatima", "فاطمه"),
    ("Maryam", "مریم"),
    ("Zahra", "زهرا"),
    ("Farida", "فریده"),
    ("Nazia", "نازیه"),
    ("Shabnam", "شبنم"),
    ("Parwana", "پروانه"),
    ("Mursal", "مرسل"),
    ("Laila", "لیلا"),
    ("Roya", "رویا"),
    ("Sima", "سیما"),
    ("Nadia", "نادیه"),
    ("Marzia", "مرضیه"),
    ("Freshta", "فرشته"),
    ("Hosai", "هوسۍ"),
    ("Zarghona", "زرغونه"),
    ("Malalai", "ملالی"),
    ("Sahar", "سحر"),
    ("Khadija", "خدیجه"),
    ("Gulalai", "ګلالۍ"),
    ("Nilofar", "نیلوفر"),
    ("Tahmina", "تهمینه"),
]
AF_FAMILY = [
    ("Ahmadi", "احمدی"),
    ("Mohammadi", "محمدی"),
    ("Rahimi", "رحیمی"),
    ("Karimi", "کریمی"),
    ("Hashimi", "هاشمی"),
    ("Noori", "نوری"),
    ("Sultani", "سلطانی"),
    ("Haidari", "حیدری"),
    ("Hussaini", "حسینی"),
    ("Popal", "پوپل"),
    ("Stanikzai", "ستانکزی"),
    ("Wardak", "وردک"),
    ("Safi", "صافی"),
    ("Amiri", "امیری"),
    ("Nazari", "نظری"),
    ("Sadat", "سادات"),
    ("Yousufzai", "یوسفزی"),
    ("Jalali", "جلالی"),
    ("Rezaei", "رضایی"),
    ("Hakimi", "حکیمی"),
    ("Azizi", "عزیزی"),
    ("Naseri", "ناصری"),
    ("Barakzai", "بارکزی"),
    ("Durrani", "درانی"),
    ("Qaderi", "قادری"),
    ("Sharifi", "شریفی"),
    ("Mirzaei", "میرزایی"),
    ("Akbari", "اکبری"),
    ("Habibi", "حبیبی"),
    ("Samadi", "صمدی"),
    ("Kakar", "کاکړ"),
    ("Mangal", "منگل"),
    ("Zazai", "ځاځی"),
    ("Niazi", "نیازی"),
    ("Taheri", "طاهری"),
    ("Faizi", "فیضی"),
    ("Sediqi", "صدیقی"),
    ("Ghafoori", "غفوری"),
    ("Osmani", "عثمانی"),
    ("Rasuli", "رسولی"),
]
#: Family names made the Afghan way from a given name (Ahmad -> Ahmadi, Ahmadzai, Ahmadkhel,
#: Ahmadyar), in both scripts: the listed ones first (common), these after them (rarer).
AF_SUFFIXES = [("i", "ی"), ("zai", "زی"), ("khel", "خیل"), ("yar", "یار")]
AF_FAMILY_ALL = AF_FAMILY + [
    (latin + suffix, arabic + suffix_ar)
    for suffix, suffix_ar in AF_SUFFIXES
    for latin, arabic in AF_MALE
    if (latin + suffix, arabic + suffix_ar) not in AF_FAMILY
]
CA_MALE = [
    ("Rustam", "Рустам"),
    ("Timur", "Тимур"),
    ("Farhod", "Фарход"),
    ("Bakhtiyor", "Бахтиёр"),
    ("Sherzod", "Шерзод"),
    ("Jamshed", "Джамшед"),
    ("Dilshod", "Дилшод"),
    ("Anvar", "Анвар"),
    ("Bekzod", "Бекзод"),
    ("Umed", "Умед"),
]
CA_FEMALE = [
    ("Gulnara", "Гульнара"),
    ("Madina", "Мадина"),
    ("Nilufar", "Нилуфар"),
    ("Dilnoza", "Дилноза"),
    ("Zarina", "Зарина"),
    ("Sevara", "Севара"),
    ("Feruza", "Феруза"),
    ("Mehrona", "Мехрона"),
]
#: (Latin, Cyrillic) of the masculine form; the feminine adds -a.
CA_FAMILY = [
    ("Aliev", "Алиев"),
    ("Karimov", "Каримов"),
    ("Rahimov", "Рахимов"),
    ("Yusupov", "Юсупов"),
    ("Nazarov", "Назаров"),
    ("Saidov", "Саидов"),
    ("Tursunov", "Турсунов"),
    ("Rahmonov", "Рахмонов"),
    ("Sharipov", "Шарипов"),
    ("Kholov", "Холов"),
    ("Mirzoev", "Мирзоев"),
    ("Ismoilov", "Исмоилов"),
]

#: (nationality, weight, script): "af" Afghan names in Latin or Arabic script, "ca" Central
#: Asian names in Cyrillic, "tr" Turkish names in Latin only.
NATIONALITIES = [
    ("AF", 74, "af"),
    ("PK", 7, "af"),
    ("IR", 6, "af"),
    ("UZ", 4, "ca"),
    ("TJ", 3, "ca"),
    ("TR", 2, "tr"),
    ("IQ", 1, "af"),
    ("SY", 1, "af"),
    ("KG", 1, "ca"),
    ("BD", 1, "af"),
]
TR_MALE = ["Mehmet", "Mustafa", "Emre", "Yusuf", "Murat"]
TR_FEMALE = ["Ayse", "Elif", "Zeynep", "Fatma", "Emine"]
TR_FAMILY = ["Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Aydin"]
LANGUAGES = {"af": ["fa", "ps"], "ca": ["ru", "uz", "tg"], "tr": ["tr"]}

AGENCIES = [
    ("GENKBL", "Kabul Returnee Reception (generated)", 5),
    ("GENHRT", "Herat Border Support (generated)", 3),
    ("GENNGR", "Nangarhar Protection Network (generated)", 2),
]
#: (code, name, country, services: (name, type codes))
PROVIDERS = [
    (
        "GENMED",
        "Hope Health Centre (generated)",
        "AF",
        [("Medical check-up", ["health"]), ("Counselling", ["mental_health"])],
    ),
    (
        "GENLAW",
        "Legal Aid Kabul (generated)",
        "AF",
        [("Legal advice", ["legal"]), ("Civil documents", ["documentation"])],
    ),
    (
        "GENJOB",
        "Livelihoods Network (generated)",
        "AF",
        [
            ("Vocational training", ["vocational_training"]),
            ("Business start-up grant", ["business_grant", "cash_assistance"]),
        ],
    ),
    (
        "GENSHL",
        "Istanbul Shelter (generated)",
        "TR",
        [("Safe shelter", ["shelter"]), ("Family tracing", ["family_tracing"])],
    ),
]
CASEWORKERS_PER_AGENCY = 6

#: Where a case has got to, with the share of cases there.
MILESTONES = [
    ("registered", 14),
    ("screened", 14),
    ("consent", 10),
    ("plan_drafted", 10),
    ("plan_approved", 10),
    ("referred", 12),
    ("monitored", 15),
    ("closed", 15),
]
STEPS = [name for name, _ in MILESTONES]
STAGE_OF = {
    "registered": "identification",
    "screened": "assessment",
    "consent": "assessment",
    "plan_drafted": "planning",
    "plan_approved": "implementation",
    "referred": "implementation",
    "monitored": "monitoring",
}
CASE_TYPES = [
    ("returnee", 68),
    ("presumed_victim", 15),
    ("identified_victim", 10),
    ("returnee_and_victim", 7),
]
CLOSURE_REASONS = [
    ("support_period_ended", 45),
    ("lost_contact", 15),
    ("left_area", 12),
    ("opted_out", 8),
    ("no_longer_eligible", 8),
    ("funding_ended", 6),
    ("death", 1),
    ("other", 5),
]
REFERRAL_STATES = [
    ("sent", 12),
    ("accepted", 18),
    ("declined", 12),
    ("expired", 8),
    ("completed", 38),
    ("not_completed", 12),
]
#: The provider's explanation and the code of the decline reason it goes with.
DECLINE_REASONS = [
    ("No capacity this month.", "no_capacity"),
    ("Outside the area we serve.", "not_offered_here"),
    ("The person needs a specialised service we do not offer.", "needs_specialised"),
    ("Could not reach the person to start.", "not_reached"),
]
NOT_COMPLETED_REASONS = ["The person moved away.", "The person stopped attending."]
ACTION_TEXTS = {
    "economic": ["Vocational training in tailoring", "Start-up grant for a small shop"],
    "social": ["Enrol the children in school", "Obtain a tazkira (national identity card)"],
    "psychosocial": ["Weekly counselling sessions", "Peer support group"],
}
VISIT_NOTES = ["Home visit; the family is settling.", "Phone follow-up.", "Met at the office."]

#: The last day of generated history: cases open in the three years before it.
HISTORY_DAYS = 3 * 365


def weighted(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def zipf(rng: random.Random, items: list[Any], s: float = 1.1) -> Any:
    """A skewed choice: the first items are common, the tail is rare."""
    weights = _ZIPF.setdefault((len(items), s), [1 / (k + 1) ** s for k in range(len(items))])
    return rng.choices(items, weights=weights)[0]


_ZIPF: dict[tuple[int, float], list[float]] = {}


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- one generated person ---------------------------------------------------------------------


@dataclass
class Generated:
    """Plain values of one person and case, before they become model objects."""

    name_original: str
    name_latin: str | None
    sex: str
    date_of_birth: date | None
    estimated_birth_year: int | None
    nationality: str
    languages: list[str]
    phone: str | None
    document: tuple[str, str] | None
    case_type: str
    milestone: str
    closed_after: str | None
    vulnerabilities: list[str]
    district: str | None
    agency: int
    opened_days_ago: int
    extra: dict[str, Any] = field(default_factory=dict)


def person_values(rng: random.Random, districts: list[str]) -> Generated:
    nationality, script = weighted(rng, [((n, sc), w) for n, w, sc in NATIONALITIES])
    roll = rng.random()
    sex = "male" if roll < 0.62 else "female" if roll < 0.98 else rng.choice(["other", "unknown"])
    female = sex == "female" or (sex not in ("male", "female") and rng.random() < 0.5)
    original: str
    latin: str | None
    if script == "af":
        given = zipf(rng, AF_FEMALE if female else AF_MALE, 0.7)
        family = zipf(rng, AF_FAMILY_ALL, 0.6)
        # Many Afghans use a second given name (often the father's): most full names are rare.
        middle = zipf(rng, AF_MALE, 0.5) if rng.random() < 0.45 else None
        parts = [given, *([middle] if middle else []), family]
        latin = " ".join(p[0] for p in parts)
        if rng.random() < 0.4:
            original = " ".join(p[1] for p in parts)
        else:
            original, latin = latin, None
    elif script == "ca":
        given = zipf(rng, CA_FEMALE if female else CA_MALE, 0.7)
        fam_latin, fam_cyr = zipf(rng, CA_FAMILY, 0.7)
        if female:
            fam_latin, fam_cyr = fam_latin + "a", fam_cyr + "а"
        latin = f"{given[0]} {fam_latin}"
        original = f"{given[1]} {fam_cyr}"
    else:
        original = f"{zipf(rng, TR_FEMALE if female else TR_MALE)} {zipf(rng, TR_FAMILY)}"
        latin = None
    child = rng.random() < 0.22
    age = rng.randrange(0, 18) if child else min(75, 18 + int(rng.expovariate(1 / 14)))
    opened_days_ago = rng.randrange(0, HISTORY_DAYS)
    born: date | None = None
    year: int | None = None
    today = date.today()
    if rng.random() < 0.13:
        year = today.year - age
    else:
        born = today - timedelta(days=age * 365 + rng.randrange(0, 365))
    case_type = weighted(rng, CASE_TYPES)
    milestone = weighted(rng, MILESTONES)
    closed_after = (
        weighted(rng, [(m, w) for m, w in MILESTONES if m not in ("closed", "monitored")])
        if milestone == "closed"
        else None
    )
    if milestone == "closed" and rng.random() < 0.5:
        closed_after = "monitored"
    vulnerabilities: set[str] = set()
    if child:
        vulnerabilities.add("unaccompanied_child" if rng.random() < 0.3 else "child")
    if age >= 60:
        vulnerabilities.add("older_person")
    if case_type != "returnee":
        vulnerabilities.add("trafficking_victim")
    for code, p in (("serious_medical", 0.06), ("mental_health", 0.08), ("disability", 0.04)):
        if rng.random() < p:
            vulnerabilities.add(code)
    if female and not child and rng.random() < 0.1:
        vulnerabilities.add("single_parent")
    document = None
    if rng.random() < 0.45:
        kind = rng.choice(["passport", "national_id"])
        prefix = "P" if kind == "passport" else "T"
        document = (kind, f"{prefix}{rng.randrange(10**7, 10**8)}")
    return Generated(
        name_original=original,
        name_latin=latin,
        sex=sex,
        date_of_birth=born,
        estimated_birth_year=year,
        nationality=nationality,
        languages=rng.sample(LANGUAGES[script], 1),
        phone=f"+93 7{rng.randrange(10**7, 10**8)}" if rng.random() < 0.6 else None,
        document=document,
        case_type=case_type,
        milestone=milestone,
        closed_after=closed_after,
        vulnerabilities=sorted(vulnerabilities),
        district=rng.choice(districts) if nationality == "AF" and districts else None,
        agency=weighted(rng, [(i, w) for i, (_c, _n, w) in enumerate(AGENCIES)]),
        opened_days_ago=opened_days_ago,
    )


# --- the generator ------------------------------------------------------------------------------


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


def places_file() -> Path:
    from core.places.demo import DEMO_FILE

    return DEMO_FILE


def district_provinces() -> dict[str, str]:
    """District P-code -> province P-code of the places shipped with the code (the demo's)."""
    with places_file().open(encoding="utf-8") as fh:
        return {row["admin2_pcode"]: row["admin1_pcode"] for row in csv.DictReader(fh)}


def ensure_reference(db: Session, settings: Any) -> Reference:
    """Organisations, staff, directory services, places and the survey (made once)."""
    from auth import admin
    from auth.models import Organisation, User
    from casework.monitoring.services import current_survey
    from casework.vocabulary import REFERRAL_SOURCES
    from core.lists import queries as lists
    from core.permissions import Role
    from core.places import services as place_services
    from core.places.queries import known_codes
    from referrals.directory.models import DirectoryOrganization, Service, ServiceTypeTerm

    provinces = district_provinces()
    if not known_codes(db, list(provinces)[:1]):
        report = place_services.import_places(db, places_file().read_bytes(), source="command")
        if not report.ok:
            raise SystemExit("; ".join(str(p) for p in report.problems))

    def organisation(code: str, name: str, country: str, agency: bool) -> Organisation:
        found = db.scalar(select(Organisation).where(Organisation.code == code))
        if found is not None:
            return found
        return admin.create_organisation(
            db,
            None,
            name=name,
            code=code,
            country=country,
            is_case_agency=agency,
            is_provider=not agency,
        )

    hashed: list[str] = []

    def user(org: Organisation, email: str, name: str, role: Role) -> uuid.UUID:
        found = db.scalar(select(User).where(User.email == email))
        if found is not None:
            return found.id
        # The first account's password is hashed by create_user; the others get that hash
        # (one argon2 run instead of one per account).
        made = admin.create_user(
            db,
            None,
            email=email,
            display_name=name,
            organisation=org,
            role=role,
            password=None if hashed else PASSWORD,
            settings=settings.auth,
        )
        if hashed:
            made.password_hash, made.password_changed_at = hashed[0], utcnow()
        else:
            assert made.password_hash is not None
            hashed.append(made.password_hash)
        return made.id

    agencies, codes, workers, supervisors = [], [], [], []
    for code, name, _weight in AGENCIES:
        org = organisation(code, name, "AF", True)
        agencies.append(org.id)
        codes.append(code)
        low = code.lower()
        supervisors.append(
            user(org, f"supervisor@{low}.{EMAIL_DOMAIN}", f"Supervisor {code}", Role.SUPERVISOR)
        )
        workers.append(
            [
                user(
                    org,
                    f"caseworker{n}@{low}.{EMAIL_DOMAIN}",
                    f"Caseworker {n} {code}",
                    Role.CASEWORKER,
                )
                for n in range(1, CASEWORKERS_PER_AGENCY + 1)
            ]
        )
    providers = []
    for code, name, country, services in PROVIDERS:
        org = organisation(code, name, country, False)
        staff = user(
            org, f"staff@{code.lower()}.{EMAIL_DOMAIN}", f"Staff {code}", Role.PROVIDER_STAFF
        )
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
        found_services = list(
            db.scalars(
                select(Service)
                .where(Service.organization_id == directory.id)
                .order_by(Service.name)
            )
        )
        service_ids = [service.id for service in found_services]
        providers.append(
            {
                "organisation": org.id,
                "directory": directory.id,
                "country": country,
                "staff": staff,
                "services": service_ids,
            }
        )
    survey = current_survey(db)
    db.flush()
    return Reference(
        agencies=agencies,
        agency_codes=codes,
        caseworkers=workers,
        supervisors=supervisors,
        providers=providers,
        survey_id=survey.id,
        survey_definition=survey.definition,
        provinces=provinces,
        referral_sources=sorted(lists.offered(db, REFERRAL_SOURCES)),
    )


_MISSING = object()
_COLUMNS: dict[type, tuple[Table, list[tuple[str, str, Any]]]] = {}


def row_of(obj: Any) -> tuple[Table, dict[str, Any]]:
    """The table of a model object and its row: every column, from the object's values, else
    the column's own Python default (as the ORM would insert it), else NULL."""
    spec = _COLUMNS.get(type(obj))
    if spec is None:
        mapper = inspect(type(obj))
        table = mapper.local_table
        assert isinstance(table, Table)
        columns = [
            (prop.key, prop.columns[0].key, prop.columns[0].default) for prop in mapper.column_attrs
        ]
        spec = _COLUMNS[type(obj)] = (table, columns)
    table, columns = spec
    values = obj.__dict__
    row: dict[str, Any] = {}
    for attribute, column, default in columns:
        value = values.get(attribute, _MISSING)
        if value is _MISSING:
            if default is None:
                value = None
            elif default.is_callable:
                value = default.arg(None)
            else:
                value = default.arg
        row[column] = value
    return table, row


class Builder:
    """Turns generated values into model objects, chunk by chunk."""

    def __init__(self, db: Session, ref: Reference, rng: random.Random) -> None:
        from casework.models import CaseNumberCounter
        from referrals.models import ReferralReferenceCounter

        self.ref = ref
        self.rng = rng
        self.now = utcnow()
        self.case_numbers: dict[tuple[uuid.UUID, int], int] = {
            (c.organisation_id, c.year): c.last for c in db.scalars(select(CaseNumberCounter))
        }
        self.references: dict[int, int] = {
            c.year: c.last for c in db.scalars(select(ReferralReferenceCounter))
        }
        self.milestones: Counter[str] = Counter()
        self.stages: Counter[str] = Counter()
        self.case_types: Counter[str] = Counter()
        self.referral_states: Counter[str] = Counter()
        self.visits = 0
        self.timings: defaultdict[str, float] = defaultdict(float)

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=max(days_ago, 0.0))

    def chunk(self, db: Session, values: list[Generated]) -> None:
        """Write one chunk of people with their cases and everything done on them."""
        from casework.models import Case, CaseVulnerability, IdentityDocument, Person
        from casework.skeleton.services import refresh_skeleton
        from core.crypto import get_crypto
        from core.crypto.blind_index import insert_entries
        from core.crypto.fields import PENDING, _encrypt_pending
        from core.crypto.keystore import key_cache
        from core.crypto.models import DataKey
        from core.crypto.primitives import random_key
        from core.db import Base

        started = time.perf_counter()
        crypto = get_crypto(db)
        cache = key_cache(db)
        self.objects: list[Any] = []
        objects = self.objects
        case_ids: list[uuid.UUID] = []
        for v in values:
            person_id = seeded_uuid(self.rng)
            # The data key, made as core.crypto.keystore.subject_key makes it (no SELECT).
            key_row = DataKey(id=seeded_uuid(self.rng), subject_id=person_id, created_at=self.now)
            key = random_key()
            key_row.master_version, key_row.wrapped_key = crypto.wrap(key_row.id, person_id, key)
            objects.append(key_row)
            cache.put(key_row, key)
            org_id = self.ref.agencies[v.agency]
            opened = self.at(v.opened_days_ago) - timedelta(minutes=self.rng.randrange(600))
            person = Person(id=person_id, organisation_id=org_id, created_at=opened)
            person.updated_at = opened
            person.name_original = v.name_original
            person.name_latin = v.name_latin
            person.date_of_birth = v.date_of_birth
            person.estimated_birth_year = v.estimated_birth_year
            person.sex = v.sex
            person.nationality = v.nationality
            person.languages = v.languages
            person.phone = v.phone
            person.address = (
                {"country": "AF", "place": v.district} if v.district else {"country": v.nationality}
            )
            if v.document:
                doc = IdentityDocument(id=seeded_uuid(self.rng), person_id=person_id)
                doc.document_type, doc.number = v.document
                doc.issuing_country = v.nationality
                objects.append(doc)
            objects.append(person)
            worker = self.rng.choice(self.ref.caseworkers[v.agency])
            case_id = seeded_uuid(self.rng)
            key_year = (org_id, opened.year)
            self.case_numbers[key_year] = self.case_numbers.get(key_year, 0) + 1
            case = Case(
                id=case_id,
                person_id=person_id,
                organisation_id=org_id,
                case_number=(
                    f"{self.ref.agency_codes[v.agency]}-{opened.year}-"
                    f"{self.case_numbers[key_year]:06d}"
                ),
                case_type=v.case_type,
                stage="identification",
                risk_level=self.rng.choice(["low", "medium", "medium", "high"]),
                referral_source=(
                    self.rng.choice(self.ref.referral_sources)
                    if self.ref.referral_sources and self.rng.random() < 0.7
                    else None
                ),
                assigned_to_id=worker,
                province_pcode=self.ref.provinces.get(v.district) if v.district else None,
                opened_at=opened,
                updated_at=opened,
            )
            case.event_date = (opened - timedelta(days=self.rng.randrange(0, 10))).date()
            case.place = self.rng.choice(["Islam Qala border crossing", "Torkham", "Kabul airport"])
            case.place_code = v.district
            objects.append(case)
            objects += [CaseVulnerability(case_id=case_id, code=c) for c in v.vulnerabilities]
            case_ids.append(case_id)
            self.work(db, case, v, worker, opened)
            self.milestones[v.milestone] += 1
            self.stages[case.stage] += 1
            self.case_types[v.case_type] += 1
        t0 = time.perf_counter()
        self.timings["building objects"] += t0 - started
        # The app's own encryption step of a flush (core.crypto.fields), object by object: the
        # ciphertexts land on the objects and their blind-index rows are collected; then every
        # table's rows go in one INSERT each, parents first, and the index rows in one more.
        rows: dict[Table, list[dict[str, Any]]] = {}
        index_rows: list[dict[str, Any]] = []
        for obj in objects:
            if obj.__dict__.get(PENDING):
                _encrypt_pending(db, obj, True, index_rows)
            table, row = row_of(obj)
            rows.setdefault(table, []).append(row)
        t1 = time.perf_counter()
        self.timings["encryption and blind-index terms"] += t1 - t0
        for table in Base.metadata.sorted_tables:
            if table in rows:
                db.execute(insert(table), rows[table])
        insert_entries(db, index_rows)
        t2 = time.perf_counter()
        self.timings["inserts"] += t2 - t1
        t1 = t2
        # Each case's skeleton, built once by the app's own refresh_skeleton (what the
        # tracking listener and fill_missing call), after everything of the case is written.
        with db.no_autoflush:  # one INSERT per table of the chunk's skeletons, not a flush a case
            for case in db.scalars(select(Case).where(Case.id.in_(case_ids))):
                refresh_skeleton(db, case)
        db.flush()
        self.timings["skeletons"] += time.perf_counter() - t1

    def story(self, case: Case, v: Generated, worker: uuid.UUID, when: datetime) -> None:
        """A trafficking story (version 1) told after the screening (its codes reach the
        skeleton through ``casework.screening.queries.skeleton_part``)."""
        from casework.screening.models import TraffickingStory

        rng = self.rng
        months = rng.randrange(1, 48)
        ended = case.opened_at - timedelta(days=rng.randrange(5, 120))
        started = ended - timedelta(days=30 * months)
        kind = weighted(
            rng,
            [
                ("forced_labour", 60),
                ("sexual_exploitation", 18),
                ("forced_marriage", 10),
                ("forced_begging", 7),
                ("forced_criminality", 5),
            ],
        )
        sectors = {
            "forced_labour": ["construction", "agriculture", "domestic_work", "manufacturing"],
            "sexual_exploitation": ["prostitution", "private_sexual_services"],
            "forced_begging": ["begging"],
            "forced_criminality": ["illicit_activities"],
        }.get(kind, [])
        story = TraffickingStory(
            id=seeded_uuid(rng),
            case_id=case.id,
            person_id=case.person_id,
            version=1,
            recorded_by_id=worker,
            recorded_at=when,
        )
        story.recruitment_methods = [rng.choice(["job_offer", "familial", "smuggling", "other"])]
        story.recruiter_relation = weighted(
            rng,
            [
                ("other", 40),
                ("friend", 20),
                ("family", 25),
                ("intimate_partner", 5),
                ("unknown", 10),
            ],
        )
        story.recruited_month = f"{started:%Y-%m}"
        story.origin_countries = [v.nationality]
        story.exploitation_countries = [
            weighted(
                rng,
                [("IR", 45), ("TR", 20), ("PK", 12), ("AE", 8), ("SA", 6), ("RU", 5), ("AF", 4)],
            )
        ]
        story.departed_month = f"{started:%Y-%m}"
        story.border_crossings = [
            rng.choice(["irregular_without_documents", "regular_own_documents"])
        ]
        story.exploitation_types = [kind]
        story.exploitation_sectors = rng.sample(sectors, 1) if sectors else []
        story.exploitation_started_month = f"{started:%Y-%m}"
        story.exploitation_ended_month = f"{ended:%Y-%m}"
        story.exploitation_months = months
        story.means_of_control = rng.sample(
            [
                "debt_bondage",
                "threats",
                "withholds_documents",
                "false_promises",
                "restricts_movement",
                "takes_earnings",
            ],
            rng.randrange(1, 4),
        )
        self.objects.append(story)

    def work(
        self,
        db: Session,
        case: Case,
        v: Generated,
        worker: uuid.UUID,
        opened: datetime,
    ) -> None:
        """What has been done on the case, up to its milestone, in order and in the past."""
        from casework.closure.models import CaseClosure
        from casework.consent.models import LegalBasisRecord
        from casework.monitoring.models import MonitoringVisit
        from casework.monitoring.scoring import compute_scores
        from casework.planning.models import Assessment, Plan, PlanAction, PlanReview
        from casework.screening.models import Screening

        rng = self.rng
        last = (v.closed_after or "registered") if v.milestone == "closed" else v.milestone
        reached = STEPS.index(last)
        supervisor = self.ref.supervisors[v.agency]
        days_open = (self.now - opened).total_seconds() / 86400
        # Steps spread over the time the case has been open (the newest move fastest).
        clock = [
            opened + timedelta(days=days_open * f) for f in sorted(rng.random() for _ in range(8))
        ]
        person_id = case.person_id
        if reached >= STEPS.index("screened"):
            when = clock[0]
            if v.case_type != "returnee" or rng.random() < 0.2:
                screening = Screening(
                    id=seeded_uuid(rng),
                    case_id=case.id,
                    person_id=person_id,
                    screened_on=when.date(),
                    outcome=(
                        rng.choice(["possible", "actual"])
                        if v.case_type != "returnee"
                        else "not_a_victim"
                    ),
                    deciding_organisation_type=rng.choice(
                        ["ngo", "competent_authority", "law_enforcement"]
                    ),
                    recorded_by_id=worker,
                    recorded_at=when,
                )
                if v.case_type != "returnee":
                    screening.indicators = rng.sample(
                        ["deception", "debt_bondage", "retention_of_documents", "isolation"], 2
                    )
                    screening.means_of_control = rng.sample(
                        ["debt_bondage", "threats", "withholds_documents", "false_promises"],
                        rng.randrange(1, 3),
                    )
                    screening.exploitation_types = [
                        weighted(
                            rng,
                            [
                                ("forced_labour", 55),
                                ("sexual_exploitation", 20),
                                ("forced_marriage", 10),
                                ("forced_begging", 8),
                                ("child_labour", 7),
                            ],
                        )
                    ]
                self.objects.append(screening)
                if v.case_type != "returnee" and rng.random() < 0.7:
                    self.story(case, v, worker, min(when + timedelta(hours=1), self.now))
            levels = ["low", "medium", "high"]
            assessment = Assessment(
                id=seeded_uuid(rng),
                case_id=case.id,
                person_id=person_id,
                assessed_on=when.date(),
                economic_risk_level=rng.choice(levels),
                social_risk_level=rng.choice(levels),
                psychosocial_risk_level=rng.choice(levels),
                overall_risk_level=rng.choice(levels),
                recorded_by_id=worker,
                recorded_at=when,
            )
            assessment.economic_needs = "No income since return; debts to relatives."
            assessment.social_needs = "Children out of school."
            assessment.psychosocial_needs = "Sleeps badly; worried about safety."
            self.objects.append(assessment)
            case.stage = "assessment"
        consent = None
        if reached >= STEPS.index("consent"):
            when = clock[1]
            consent = LegalBasisRecord(
                id=seeded_uuid(rng),
                case_id=case.id,
                person_id=person_id,
                basis="consent",
                given_by="person",
                method=rng.choice(["written", "oral"]),
                given_on=when.date(),
                any_provider=True,
                recorded_by_id=worker,
                recorded_at=when,
            )
            consent.purpose = "Referral to services for reintegration."
            self.objects.append(consent)
        plan = None
        actions: list[Any] = []
        if reached >= STEPS.index("plan_drafted"):
            when = clock[2]
            plan = Plan(
                id=seeded_uuid(rng),
                case_id=case.id,
                status="draft",
                created_by_id=worker,
                created_at=when,
                updated_at=when,
            )
            for dimension in rng.sample(list(ACTION_TEXTS), rng.randrange(1, 4)):
                action = PlanAction(
                    id=seeded_uuid(rng),
                    person_id=person_id,
                    dimension=dimension,
                    responsible_user_id=worker,
                    due_on=(when + timedelta(days=rng.randrange(14, 180))).date(),
                    status="planned",
                    created_at=when,
                    updated_at=when,
                )
                action.description = rng.choice(ACTION_TEXTS[dimension])
                action.plan_id = plan.id
                actions.append(action)
            self.objects.append(plan)
            self.objects += actions
            case.stage = "planning"
        if plan is not None and reached >= STEPS.index("plan_approved"):
            submitted, decided = clock[3], clock[3] + timedelta(hours=rng.randrange(1, 72))
            decided = min(decided, self.now)
            plan.status, plan.submitted_by_id, plan.submitted_at = "approved", worker, submitted
            plan.approved_at = decided
            review = PlanReview(
                id=seeded_uuid(rng),
                person_id=person_id,
                submitted_by_id=worker,
                submitted_at=submitted,
                action_count=len(actions),
                decision="approved",
                decided_by_id=supervisor,
                decided_at=decided,
            )
            review.plan_id = plan.id
            self.objects.append(review)
            for action in actions:
                action.status = rng.choice(["planned", "in_progress", "done"])
            case.stage = "implementation"
        if consent is not None and reached >= STEPS.index("referred"):
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                self.referral(db, case, v, worker, consent.id, clock[4], clock[5])
        if reached >= STEPS.index("monitored"):
            definition = self.ref.survey_definition
            for n in range(rng.randrange(1, 5)):
                visited = clock[5] + (clock[7] - clock[5]) * (n / 4)
                answers = {
                    item["code"]: rng.choice(item["answers"])[0]
                    for item in definition["indicators"]
                    if rng.random() < 0.9
                }
                visit = MonitoringVisit(
                    id=seeded_uuid(rng),
                    case_id=case.id,
                    person_id=person_id,
                    survey_version_id=self.ref.survey_id,
                    visited_on=visited.date(),
                    visit_type=rng.choice(["home", "phone", "office"]),
                    recorded_by_id=worker,
                    recorded_at=visited,
                )
                visit.notes = rng.choice(VISIT_NOTES)
                visit.answers = answers
                visit.scores = compute_scores(definition, answers)
                self.objects.append(visit)
                self.visits += 1
            case.stage = "monitoring"
        if v.milestone == "closed":
            requested = clock[7]
            decided = min(requested + timedelta(days=rng.randrange(0, 5)), self.now)
            closure = CaseClosure(
                id=seeded_uuid(rng),
                organisation_id=case.organisation_id,
                status="approved",
                requested_by_id=worker,
                requested_at=requested,
                decided_by_id=supervisor,
                decided_at=decided,
                case_id=case.id,
                person_id=person_id,
                reason=weighted(rng, CLOSURE_REASONS),
            )
            closure.summary = "Closed after the support period; see the last visit."
            self.objects.append(closure)
            case.stage = "closed"
            case.updated_at = decided

    def referral(
        self,
        db: Session,
        case: Any,
        v: Generated,
        worker: uuid.UUID,
        consent_id: uuid.UUID,
        sent: datetime,
        later: datetime,
    ) -> None:
        from referrals.models import Referral, ReferralEvent, ReferralSharedField

        rng = self.rng
        provider = rng.choice(self.ref.providers)
        state = weighted(rng, REFERRAL_STATES)
        respond_by = sent + timedelta(days=7)
        if state == "sent" and respond_by < self.now:  # still waiting: sent this week
            sent = self.now - timedelta(days=rng.randrange(0, 6))
            respond_by = sent + timedelta(days=7)
        elif state == "expired" and respond_by > self.now:  # its deadline has passed
            sent = self.now - timedelta(days=rng.randrange(8, 30))
            respond_by = sent + timedelta(days=7)
        self.references[sent.year] = self.references.get(sent.year, 0) + 1
        referral = Referral(
            id=seeded_uuid(rng),
            reference=f"REF-{sent.year}-{self.references[sent.year]:06d}",
            case_id=case.id,
            person_id=case.person_id,
            service_id=rng.choice(provider["services"]),
            directory_organization_id=provider["directory"],
            provider_organisation_id=provider["organisation"],
            referrer_id=worker,
            referring_organisation_id=case.organisation_id,
            urgency=weighted(rng, [("routine", 80), ("urgent", 17), ("emergency", 3)]),
            legal_basis_id=consent_id,
            state=state,
            sent_at=sent,
            respond_by=respond_by,
            transnational=provider["country"] != "AF",
            provider_country=provider["country"],
            created_at=sent,
            updated_at=sent,
        )
        referral.reason = "Needs support to restart work and settle the family."
        events = [
            ReferralEvent(
                id=seeded_uuid(rng), from_state=None, to_state="sent", actor_id=worker, at=sent
            )
        ]
        answered = min(
            sent + timedelta(days=rng.randrange(0, 7), hours=rng.randrange(1, 20)), self.now
        )
        staff = provider["staff"]
        if state in ("accepted", "completed", "not_completed"):
            referral.answered_at, referral.answered_by_id = answered, staff
            referral.expected_completion = (answered + timedelta(days=rng.randrange(14, 90))).date()
            events.append(
                ReferralEvent(
                    id=seeded_uuid(rng),
                    from_state="sent",
                    to_state="accepted",
                    actor_id=staff,
                    at=answered,
                )
            )
        if state in ("completed", "not_completed"):
            closed = max(min(later, self.now), answered)
            referral.closed_at, referral.closed_by_id = closed, staff
            referral.outcome_date = closed.date()
            if state == "completed":
                referral.outcome = "Service delivered as planned."
            else:
                referral.not_completed_reason = rng.choice(NOT_COMPLETED_REASONS)
            events.append(
                ReferralEvent(
                    id=seeded_uuid(rng),
                    from_state="accepted",
                    to_state=state,
                    actor_id=staff,
                    at=closed,
                )
            )
        if state == "declined":
            referral.answered_at, referral.answered_by_id = answered, staff
            referral.closed_at = answered
            referral.decline_reason, decline_code = rng.choice(DECLINE_REASONS)
            events.append(
                ReferralEvent(
                    id=seeded_uuid(rng),
                    from_state="sent",
                    to_state="declined",
                    actor_id=staff,
                    at=answered,
                    reason_code=decline_code,
                )
            )
        if state == "expired":
            referral.closed_at = respond_by
            events.append(
                ReferralEvent(
                    id=seeded_uuid(rng),
                    from_state="sent",
                    to_state="expired",
                    actor_id=None,
                    at=respond_by,
                    reason_code="deadline_passed",
                )
            )
        self.objects.append(referral)
        for event_row in events:
            event_row.referral_id = referral.id
        self.objects += events
        self.objects += [
            ReferralSharedField(referral_id=referral.id, code=c)
            for c in ("name_latin", "languages")
        ]
        self.referral_states[state] += 1

    def write_counters(self, db: Session) -> None:
        """Bring the case-number and reference counters up to what was handed out."""
        from casework.models import CaseNumberCounter
        from referrals.models import ReferralReferenceCounter

        for (org, year), last in self.case_numbers.items():
            row = db.get(CaseNumberCounter, (org, year))
            if row is None:
                db.add(CaseNumberCounter(organisation_id=org, year=year, last=last))
            elif row.last != last:
                row.last = last
        for year, last in self.references.items():
            ref_row = db.get(ReferralReferenceCounter, year)
            if ref_row is None:
                db.add(ReferralReferenceCounter(year=year, last=last))
            elif ref_row.last != last:
                ref_row.last = last


# --- audit events ---------------------------------------------------------------------------

AUDIT_ACTIONS = [
    ("case.viewed", "case", 55),
    ("login.succeeded", None, 8),
    ("person.searched", "person", 10),
    ("person.search_viewed", "person", 6),
    ("case.note_added", "case", 5),
    ("tasks.viewed", None, 8),
    ("caseload.viewed", None, 6),
    ("login.failed", None, 1),
    ("logout", None, 1),
]


def append_audit_events(
    db_factory: Any, count: int, rng: random.Random, batch: int = 5000
) -> float:
    """Append ``count`` events to the chain, hashed as ``audit.services.record`` hashes them,
    in batches of ``batch`` (one INSERT and one commit each, under the chain's lock)."""
    from audit.chain import GENESIS_HASH, canonical_details, event_hash
    from audit.models import AuditEvent
    from audit.services import lock_chain, user_agent_fingerprint
    from auth.models import User
    from casework.models import Case

    with db_factory() as db:
        staff = [
            (u.id, u.role, u.organisation_id)
            for u in db.scalars(select(User).where(User.email.like(f"%.{EMAIL_DOMAIN}")))
        ]
        cases = list(
            db.execute(select(Case.id, Case.organisation_id).order_by(Case.id).limit(200_000))
        )
    by_org: dict[uuid.UUID, list[uuid.UUID]] = {}
    for case_id, org in cases:
        by_org.setdefault(org, []).append(case_id)
    agents = [user_agent_fingerprint(f"Mozilla/5.0 generated browser {n}") for n in range(12)]
    now = utcnow()
    step = min(timedelta(seconds=1), timedelta(days=90) / max(count, 1))
    first = now - step * count
    table = AuditEvent.__table__
    assert isinstance(table, Table)
    started = time.perf_counter()
    done = 0
    sessions = {u[0]: seeded_uuid(rng) for u in staff}
    while done < count:
        with db_factory() as db:
            lock_chain(db)
            head = db.execute(
                select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
            ).first()
            seq, prev = (head.seq, head.hash) if head else (0, GENESIS_HASH)
            rows = []
            for k in range(done, min(count, done + batch)):
                user_id, role, org = rng.choice(staff)
                action, object_type, _w = rng.choices(
                    AUDIT_ACTIONS, weights=[w for *_x, w in AUDIT_ACTIONS]
                )[0]
                case_id = None
                object_id = None
                details: dict[str, Any] | None = None
                org_cases = by_org.get(org)
                if object_type == "case" and org_cases:
                    case_id = rng.choice(org_cases)
                    object_id = str(case_id)
                elif action == "person.searched":
                    details = {
                        "kind": rng.choice(["name", "document", "case_number"]),
                        "results": rng.randrange(0, 8),
                    }
                elif action == "person.search_viewed":
                    details = {"kind": "name", "results": rng.randrange(0, 8), "outside_scope": 0}
                seq += 1
                values: dict[str, Any] = {
                    "seq": seq,
                    "occurred_at": first + step * k,
                    "actor_user_id": user_id,
                    "actor_role": role,
                    "actor_organisation_id": org,
                    "session_id": sessions[user_id],
                    "ip_address": f"10.{rng.randrange(256)}.0.{rng.randrange(1, 255)}",
                    "user_agent_fingerprint": rng.choice(agents),
                    "action": action,
                    "object_type": object_type,
                    "object_id": object_id,
                    "case_id": case_id,
                    "outcome": "failed" if action == "login.failed" else "ok",
                    "details": canonical_details(details),
                    "prev_hash": prev,
                }
                values["hash"] = prev = event_hash(values)
                rows.append(values)
            db.execute(insert(table), rows)
        done += len(rows)
        rate = done / (time.perf_counter() - started)
        print(f"  audit events {done:,}/{count:,}  {rate:,.0f} events/s", flush=True)
    return time.perf_counter() - started


# --- the command ------------------------------------------------------------------------------


@contextmanager
def skeleton_tracking_paused() -> Iterator[None]:
    """Take the skeleton tracker's flush listeners off while chunks are written (the counters'
    flush must not rebuild anything): :meth:`Builder.chunk` builds each skeleton once
    instead. Put back on exit."""
    from casework.skeleton import tracking

    listeners: list[tuple[str, Callable[..., Any]]] = [
        ("after_flush", tracking._after_flush),
        ("after_flush_postexec", tracking._after_flush_postexec),
        ("after_rollback", tracking._after_rollback),
    ]
    for name, listener in listeners:
        if event.contains(Session, name, listener):
            event.remove(Session, name, listener)
    try:
        yield
    finally:
        tracking.listen()


def database_is_empty(url: str) -> bool:
    from core.db import make_engine

    engine = make_engine(url)
    try:
        return not inspect(engine).has_table("alembic_version")
    finally:
        engine.dispose()


def make_app(url: str, key_file: str) -> Any:
    from core.app import create_app

    overrides: dict[str, Any] = {"DATABASE_URL": url, "KEY_FILE": key_file}
    if not os.environ.get("HOMEWARD_SECRET_KEY"):
        overrides["SECRET_KEY"] = "generator-" + "x" * 40
    return create_app(Settings.from_env(**overrides))


@dataclass
class Summary:
    people: int = 0
    seconds: float = 0.0
    audit_events: int = 0
    audit_seconds: float = 0.0
    skeletons_built: int = 0
    milestones: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    case_types: dict[str, int] = field(default_factory=dict)
    referral_states: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def generate(
    database_url: str,
    people: int,
    *,
    audit_events: int = 0,
    seed: int = 1,
    append: bool = False,
    chunk: int = 1000,
    key_file: str | None = None,
    quiet: bool = False,
) -> Summary:
    """Fill ``database_url`` with ``people`` people (and their cases) and ``audit_events``
    audit events; returns what was written. Raises SystemExit when the database holds cases
    and ``append`` is False."""
    from casework.models import Case
    from casework.skeleton.services import fill_missing
    from core import migrate
    from core.db import current_db, normalise_url
    from core.keys import ensure_development_key_file

    say = (lambda *_a, **_k: None) if quiet else print
    key_file = key_file or os.environ.get("HOMEWARD_KEY_FILE") or Settings().KEY_FILE
    if ensure_development_key_file(key_file):
        say(f"made a development key file at {key_file}")
    url = normalise_url(database_url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if database_is_empty(url):
        say("migrating the empty database to head ...", flush=True)
        migrate.upgrade(url)
    app = make_app(url, key_file)
    summary = Summary(people=people, audit_events=audit_events)
    rng = random.Random(seed)
    try:
        with app.app_context():
            database = current_db()
            with database.session_scope() as db:
                existing = db.scalar(select(func.count()).select_from(Case)) or 0
                if existing and not append:
                    raise SystemExit(
                        f"the database holds {existing} case(s) already; "
                        "pass --append to add to them"
                    )
                ref = ensure_reference(db, app.config["HOMEWARD_SETTINGS"])
            if existing:
                # Appending: other people (and other ids) than the first run of this seed.
                rng = random.Random(f"{seed}:{existing}")
            districts = sorted(ref.provinces)
            say(
                f"generating {people:,} people on {url.split(':')[0]} (seed {seed}) ...", flush=True
            )
            started = time.perf_counter()
            done = 0
            with database.session_scope() as db:
                builder = Builder(db, ref, rng)
            while done < people:
                size = min(chunk, people - done)
                values = [person_values(rng, districts) for _ in range(size)]
                with skeleton_tracking_paused(), database.session_scope() as db:
                    builder.chunk(db, values)
                    builder.write_counters(db)
                    commit_started = time.perf_counter()
                builder.timings["commit"] += time.perf_counter() - commit_started
                done += size
                elapsed = time.perf_counter() - started
                say(
                    f"  people {done:,}/{people:,}  {done / elapsed:,.0f} people/s",
                    flush=True,
                )
            summary.seconds = time.perf_counter() - started
            with database.session_scope() as db:
                summary.skeletons_built = fill_missing(db)
            if audit_events:
                summary.audit_seconds = append_audit_events(
                    database.session_scope, audit_events, random.Random(seed + 1)
                )
            summary.milestones = dict(builder.milestones)
            summary.stages = dict(builder.stages)
            summary.case_types = dict(builder.case_types)
            summary.referral_states = dict(builder.referral_states)
            summary.visits = builder.visits
            summary.timings = dict(builder.timings)
    finally:
        app.extensions["homeward_db"].engine.dispose()
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fill a Homeward database with generated people, cases and audit events."
    )
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--audit-events", type=int, default=0)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--append", action="store_true", help="add to a database with cases")
    parser.add_argument("--chunk", type=int, default=1000, help="people per commit")
    args = parser.parse_args(argv)
    if args.people < 0 or args.audit_events < 0 or args.chunk < 1:
        parser.error("--people, --audit-events and --chunk take positive numbers")
    s = generate(
        args.database_url,
        args.people,
        audit_events=args.audit_events,
        seed=args.seed,
        append=args.append,
        chunk=args.chunk,
    )
    rate = s.people / s.seconds if s.seconds else 0.0
    print(f"\n{s.people:,} people and cases in {s.seconds:,.1f} s ({rate:,.0f} people/s)")
    print("  milestones: " + ", ".join(f"{k} {v}" for k, v in sorted(s.milestones.items())))
    print("  stages:     " + ", ".join(f"{k} {v}" for k, v in sorted(s.stages.items())))
    print("  case types: " + ", ".join(f"{k} {v}" for k, v in sorted(s.case_types.items())))
    print("  referrals:  " + ", ".join(f"{k} {v}" for k, v in sorted(s.referral_states.items())))
    print(f"  monitoring visits: {s.visits:,}; skeletons built at the end: {s.skeletons_built}")
    print("  seconds: " + ", ".join(f"{k} {v:,.1f}" for k, v in s.timings.items()))
    if s.audit_events:
        print(
            f"{s.audit_events:,} audit events in {s.audit_seconds:,.1f} s "
            f"({s.audit_events / s.audit_seconds:,.0f} events/s)"
        )
    print(f"staff accounts (*@<agency>.{EMAIL_DOMAIN}) sign in with: {PASSWORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
