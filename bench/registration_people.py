"""The people the registration benchmarks register, drawn as the generated population is.

``bench/pages_bench.py`` and ``bench/registrations_served.py`` (P6, issue 18) send the
registration form again and again. What they register decides what the duplicate check of
each registration reads, and so the figure: a caseworker's registrations in a registration
drive look like the population, so each form here is a person drawn by
``bench/generate/people.py`` (names in several scripts with their real frequency: a common
name is shared by hundreds at a million people, and its check lists the closest and asks for
confirmation; a birth date, or only a year; a document for about half), with the case fields
of ``tests/casework/helpers.py``'s FARIDA. Each run draws with a seed of its own, so runs do
not add up: the benchmarks used to register "Bench Person N" (or "Farida Served N") with one
birth date every time, so every check of a run found every earlier registration of that run
and of every run before it as a possible duplicate, and the figure fell from run to run.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from generate.people import person_values  # noqa: E402

NO_DOCUMENT = {"document_type": "", "document_number": "", "document_country": ""}


def registration_form(rng: random.Random) -> dict[str, Any]:
    """The registration form's fields for one drawn person (past the duplicate warning)."""
    from tests.casework.helpers import FARIDA

    drawn = person_values(rng, [])
    form: dict[str, Any] = {
        **FARIDA,
        "name_original": drawn.name_original,
        "name_latin": drawn.name_latin or "",
        "aliases": "",
        "sex": drawn.sex,
        "nationality": drawn.nationality,
        "date_of_birth": drawn.date_of_birth.isoformat() if drawn.date_of_birth else "",
        "estimated_birth_year": str(drawn.estimated_birth_year or ""),
        "phone": drawn.phone or "",
        "document_expiry": "",
        "not_a_duplicate": "y",
    }
    if drawn.document is None:
        form.update(NO_DOCUMENT)
    else:
        kind, number = drawn.document
        form.update(document_type=kind, document_number=number, document_country=drawn.nationality)
    return form


def registration_forms(count: int, seed: int | None = None) -> list[dict[str, Any]]:
    """``count`` forms of drawn people; ``seed`` None draws afresh (a run's own)."""
    rng = random.Random(seed)
    return [registration_form(rng) for _ in range(count)]
