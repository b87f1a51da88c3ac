"""People and their cases, a chunk at a time: the model objects of each person (data key,
person, identity document, case, vulnerabilities, and the work done on the case, see
:mod:`.steps`), then every row of the chunk, encrypted (:mod:`.rows`), with the cases'
skeletons (:mod:`.skeleton`), written in bulk by :func:`write_chunk`."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from core.clock import utcnow

from .people import Generated
from .reference import Reference
from .rows import Row, Terms, insert_rows, rows_of
from .skeleton import skeleton_rows
from .steps import work
from .tables import seeded_uuid

PLACES = ["Islam Qala border crossing", "Torkham", "Kabul airport"]


class Builder:
    """Turns generated values into model objects and rows, chunk by chunk."""

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
        self.objects: list[Any] = []

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=max(days_ago, 0.0))

    def chunk(self, db: Session, values: list[Generated]) -> dict[Table, list[dict[str, Any]]]:
        """The rows of one chunk of people with their cases, everything done on them and
        their skeletons, encrypted (``db`` gives the keys; nothing is read or written)."""
        started = time.perf_counter()
        self.objects = []
        cases = []
        for v in values:
            first = len(self.objects)
            person, case = self.person(db, v)
            cases.append((case, person, self.objects[first:]))
        t0 = time.perf_counter()
        self.timings["building objects"] += t0 - started
        rows = rows_of(db, self.objects, Terms(db))
        t1 = time.perf_counter()
        self.timings["encryption and blind-index terms"] += t1 - t0
        for table, found in skeleton_rows(cases, self.ref.service_types).items():
            rows[table] = found
        self.timings["skeletons"] += time.perf_counter() - t1
        return rows

    def data_key(self, db: Session, person_id: uuid.UUID) -> None:
        """The person's data key, made as ``core.crypto.keystore.subject_key`` makes it (no
        SELECT): a fresh random key wrapped by the keyring, put in the session's key cache."""
        from core.crypto import get_crypto
        from core.crypto.keystore import key_cache
        from core.crypto.models import DataKey
        from core.crypto.primitives import random_key

        key_row = Row(DataKey, id=seeded_uuid(self.rng), subject_id=person_id, created_at=self.now)
        key = random_key()
        key_row.master_version, key_row.wrapped_key = get_crypto(db).wrap(
            key_row.id, person_id, key
        )
        self.objects.append(key_row)
        key_cache(db).put(key_row, key)  # type: ignore[arg-type]  # the row of a DataKey

    def person(self, db: Session, v: Generated) -> tuple[Any, Any]:
        """The person (with data key and identity document) and their case, worked on."""
        from casework.models import IdentityDocument, Person

        person_id = seeded_uuid(self.rng)
        self.data_key(db, person_id)
        org_id = self.ref.agencies[v.agency].id
        opened = self.at(v.opened_days_ago) - timedelta(minutes=self.rng.randrange(600))
        person = Row(Person, id=person_id, organisation_id=org_id, created_at=opened)
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
            doc = Row(IdentityDocument, id=seeded_uuid(self.rng), person_id=person_id)
            doc.document_type, doc.number = v.document
            doc.issuing_country = v.nationality
            self.objects.append(doc)
        self.objects.append(person)
        case = self.case(v, person_id, org_id, opened)
        self.milestones[v.milestone] += 1
        self.stages[case.stage] += 1
        self.case_types[v.case_type] += 1
        return person, case

    def case(self, v: Generated, person_id: uuid.UUID, org_id: uuid.UUID, opened: datetime) -> Any:
        """The person's case, numbered in memory per organisation and year, worked on up to
        its milestone (:func:`.steps.work` sets the stage the workflow would leave)."""
        from casework.models import Case, CaseVulnerability

        rng = self.rng
        agency = self.ref.agencies[v.agency]
        n = rng.randrange(len(agency.caseworkers))
        worker = agency.caseworkers[n]
        case_id = seeded_uuid(rng)
        key_year = (org_id, opened.year)
        self.case_numbers[key_year] = self.case_numbers.get(key_year, 0) + 1
        number = self.case_numbers[key_year]
        case = Row(
            Case,
            id=case_id,
            person_id=person_id,
            organisation_id=org_id,
            case_number=f"{self.ref.agency_codes[v.agency]}-{opened.year}-{number:06d}",
            case_type=v.case_type,
            stage="identification",
            risk_level=rng.choice(["low", "medium", "medium", "high"]),
            referral_source=(
                rng.choice(self.ref.referral_sources)
                if self.ref.referral_sources and rng.random() < 0.7
                else None
            ),
            assigned_to_id=worker,
            province_pcode=self.ref.provinces.get(v.district) if v.district else None,
            opened_at=opened,
            updated_at=opened,
        )
        case.event_date = (opened - timedelta(days=rng.randrange(0, 10))).date()
        case.place = rng.choice(PLACES)
        case.place_code = v.district
        self.objects.append(case)
        self.objects += [Row(CaseVulnerability, case_id=case_id, code=c) for c in v.vulnerabilities]
        work(self, case, v, (worker, agency.supervisor_of(n)), opened)
        return case

    def counters(self) -> Counters:
        """The case numbers and referral references handed out so far (a copy)."""
        return dict(self.case_numbers), dict(self.references)


Counters = tuple[dict[tuple[uuid.UUID, int], int], dict[int, int]]


def write_chunk(db: Session, rows: dict[Table, list[dict[str, Any]]], counters: Counters) -> None:
    """A chunk's rows (parents first), and the case-number and reference counters brought up
    to what was handed out."""
    from casework.models import CaseNumberCounter
    from referrals.models import ReferralReferenceCounter

    insert_rows(db, rows)
    case_numbers, references = counters
    for (org, year), last in case_numbers.items():
        row = db.get(CaseNumberCounter, (org, year))
        if row is None:
            db.add(CaseNumberCounter(organisation_id=org, year=year, last=last))
        elif row.last != last:
            row.last = last
    for year, last in references.items():
        ref_row = db.get(ReferralReferenceCounter, year)
        if ref_row is None:
            db.add(ReferralReferenceCounter(year=year, last=last))
        elif ref_row.last != last:
            ref_row.last = last
