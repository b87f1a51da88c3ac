"""One generated person and case, as plain values (before they become rows)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .names import (
    AF_FAMILY_ALL,
    AF_FEMALE,
    AF_MALE,
    CA_FAMILY,
    CA_FEMALE,
    CA_MALE,
    LANGUAGES,
    NATIONALITIES,
    TR_FAMILY,
    TR_FEMALE,
    TR_MALE,
)
from .tables import AGENCIES, CASE_TYPES, HISTORY_DAYS, MILESTONES, weighted, zipf


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


def name_of(rng: random.Random, script: str, female: bool) -> tuple[str, str | None]:
    """(name as written, its Latin form where the name is written in another script)."""
    if script == "af":
        given = zipf(rng, AF_FEMALE if female else AF_MALE, 0.7)
        family = zipf(rng, AF_FAMILY_ALL, 0.6)
        # Many Afghans use a second given name (often the father's): most full names are rare.
        middle = zipf(rng, AF_MALE, 0.5) if rng.random() < 0.45 else None
        parts = [given, *([middle] if middle else []), family]
        latin = " ".join(p[0] for p in parts)
        if rng.random() < 0.4:
            return " ".join(p[1] for p in parts), latin
        return latin, None
    if script == "ca":
        given = zipf(rng, CA_FEMALE if female else CA_MALE, 0.7)
        fam_latin, fam_cyr = zipf(rng, CA_FAMILY, 0.7)
        if female:
            fam_latin, fam_cyr = fam_latin + "a", fam_cyr + "а"
        return f"{given[1]} {fam_cyr}", f"{given[0]} {fam_latin}"
    return f"{zipf(rng, TR_FEMALE if female else TR_MALE)} {zipf(rng, TR_FAMILY)}", None


def vulnerabilities_of(
    rng: random.Random, child: bool, age: int, case_type: str, female: bool
) -> list[str]:
    found: set[str] = set()
    if child:
        found.add("unaccompanied_child" if rng.random() < 0.3 else "child")
    if age >= 60:
        found.add("older_person")
    if case_type != "returnee":
        found.add("trafficking_victim")
    for code, p in (("serious_medical", 0.06), ("mental_health", 0.08), ("disability", 0.04)):
        if rng.random() < p:
            found.add(code)
    if female and not child and rng.random() < 0.1:
        found.add("single_parent")
    return sorted(found)


def milestone_of(rng: random.Random) -> tuple[str, str | None]:
    """Where the case has got to, and for a closed case the step it was closed after."""
    milestone = weighted(rng, MILESTONES)
    closed_after = (
        weighted(rng, [(m, w) for m, w in MILESTONES if m not in ("closed", "monitored")])
        if milestone == "closed"
        else None
    )
    if milestone == "closed" and rng.random() < 0.5:
        closed_after = "monitored"
    return milestone, closed_after


def person_values(rng: random.Random, districts: list[str]) -> Generated:
    nationality, script = weighted(rng, [((n, sc), w) for n, w, sc in NATIONALITIES])
    roll = rng.random()
    sex = "male" if roll < 0.62 else "female" if roll < 0.98 else rng.choice(["other", "unknown"])
    female = sex == "female" or (sex not in ("male", "female") and rng.random() < 0.5)
    original, latin = name_of(rng, script, female)
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
    milestone, closed_after = milestone_of(rng)
    vulnerabilities = vulnerabilities_of(rng, child, age, case_type, female)
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
        vulnerabilities=vulnerabilities,
        district=rng.choice(districts) if nationality == "AF" and districts else None,
        agency=weighted(rng, [(i, w) for i, (_c, _n, w) in enumerate(AGENCIES)]),
        opened_days_ago=opened_days_ago,
    )
