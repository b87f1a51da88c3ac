"""The generated world: agencies, providers, how cases progress and with what shares, and the
random helpers every module draws with."""

from __future__ import annotations

import math
import random
import uuid
from itertools import accumulate
from typing import Any

#: Every staff account of the generated organisations signs in with this password.
PASSWORD = "generated staff password 2026"
EMAIL_DOMAIN = "generated.homeward.test"

#: (code, name, share of the cases): a national agency and regional ones.
AGENCIES = [
    ("GENKBL", "Kabul Returnee Reception (generated)", 5),
    ("GENHRT", "Herat Border Support (generated)", 3),
    ("GENNGR", "Nangarhar Protection Network (generated)", 2),
    ("GENBLK", "Balkh Reintegration Office (generated)", 2),
    ("GENKDH", "Kandahar Family Support (generated)", 2),
    ("GENKDZ", "Kunduz Community Services (generated)", 1),
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
#: Staffing that scales with the population: one caseworker for about this many open cases
#: (a realistic caseload), at least MIN_CASEWORKERS per agency, and one supervisor per team
#: of TEAM_SIZE caseworkers.
OPEN_CASES_PER_CASEWORKER = 60
MIN_CASEWORKERS = 2
TEAM_SIZE = 8

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


def staffing(people: int) -> list[int]:
    """Caseworkers of each agency (in ``AGENCIES`` order) for ``people`` people, one case each:
    the agency's expected open cases over ``OPEN_CASES_PER_CASEWORKER``."""
    total = sum(w for _c, _n, w in AGENCIES)
    steps = sum(w for _s, w in MILESTONES)
    open_share = 1 - dict(MILESTONES)["closed"] / steps
    return [
        max(MIN_CASEWORKERS, math.ceil(people * w / total * open_share / OPEN_CASES_PER_CASEWORKER))
        for _c, _n, w in AGENCIES
    ]


def teams(caseworkers: int) -> int:
    """Supervisors (one per team) of an agency with ``caseworkers`` caseworkers."""
    return math.ceil(caseworkers / TEAM_SIZE)


#: The last day of generated history: cases open in the three years before it.
HISTORY_DAYS = 3 * 365


def weighted(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    """A choice by weight (the same draw as ``rng.choices(values, weights)``)."""
    key = tuple(table)
    found = _WEIGHTED.get(key)
    if found is None:
        values, weights = zip(*table, strict=True)
        found = _WEIGHTED[key] = (values, list(accumulate(weights)))
    return rng.choices(found[0], cum_weights=found[1])[0]


def zipf(rng: random.Random, items: list[Any], s: float = 1.1) -> Any:
    """A skewed choice: the first items are common, the tail is rare."""
    cumulative = _ZIPF.get((len(items), s))
    if cumulative is None:
        weights = [1 / (k + 1) ** s for k in range(len(items))]
        cumulative = _ZIPF[(len(items), s)] = list(accumulate(weights))
    return rng.choices(items, cum_weights=cumulative)[0]


_WEIGHTED: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[int]]] = {}
_ZIPF: dict[tuple[int, float], list[float]] = {}


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)
