"""Benchmark of core.crypto (not part of the test suite).

    .venv/bin/python bench/crypto_bench.py [--sizes 10000,100000,1000000] [--database-url URL]

Measures, in one run on one database (a scratch SQLite file unless ``--database-url``):

1. write and read of a 15-field person record, encrypted versus the same record in plain
   columns (the per-page crypto overhead);
2. blind-index search by full name at growing populations, built with bulk inserts;
3. master key rotation throughput (data keys re-wrapped per second).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Date, Engine, String, insert, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core import migrate
from core.clock import utcnow
from core.crypto import (
    BlindIndexEntry,
    Crypto,
    DataKey,
    bind_crypto,
    encrypted_column,
    primitives,
    search,
)
from core.crypto.blind_index import NAME, index_pairs
from core.crypto.keyring import next_version
from core.crypto.keystore import Binding, encrypt_bytes, forget_keys, key_cache
from core.crypto.rotation import rewrap_batch
from core.db import make_engine
from core.keys import new_keyring


class BenchBase(DeclarativeBase):
    pass


class EncryptedPerson(BenchBase):
    __tablename__ = "bench_encrypted_person"
    __encryption_subject__ = "id"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    given_name = encrypted_column(str, blind_index="name")
    family_name = encrypted_column(str, blind_index="name")
    patronymic = encrypted_column(str, blind_index="name")
    aliases = encrypted_column(list, blind_index="name")
    date_of_birth = encrypted_column(date, blind_index="date_of_birth")
    documents = encrypted_column(list, blind_index="document")
    sex = encrypted_column(str)
    nationality = encrypted_column(str)
    languages = encrypted_column(list)
    phone = encrypted_column(str)
    email = encrypted_column(str)
    address = encrypted_column(dict)
    vulnerabilities = encrypted_column(list)
    arrival_date = encrypted_column(date)
    notes = encrypted_column(str)


class PlainPerson(BenchBase):
    __tablename__ = "bench_plain_person"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    patronymic: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[Any] = mapped_column(JSON)
    date_of_birth: Mapped[date] = mapped_column(Date)
    documents: Mapped[Any] = mapped_column(JSON)
    sex: Mapped[str] = mapped_column(String(20))
    nationality: Mapped[str] = mapped_column(String(2))
    languages: Mapped[Any] = mapped_column(JSON)
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(200))
    address: Mapped[Any] = mapped_column(JSON)
    vulnerabilities: Mapped[Any] = mapped_column(JSON)
    arrival_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(2000))


class SearchPerson(BenchBase):
    __tablename__ = "bench_search_person"
    __encryption_subject__ = "id"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    given_name = encrypted_column(str, blind_index="name")
    family_name = encrypted_column(str, blind_index="name")


FIELDS = [
    "given_name", "family_name", "patronymic", "aliases", "date_of_birth", "documents", "sex",
    "nationality", "languages", "phone", "email", "address", "vulnerabilities", "arrival_date",
    "notes",
]  # fmt: skip
SYLLABLES = "ba da fa ga ha ka la ma na ra sa ta za ya sha kha ri mi di ni li zi vo mo".split()  # noqa: SIM905


def person_values(rng: random.Random) -> dict[str, Any]:
    """A typical record: names, dates, documents, contact, needs."""
    return {
        "given_name": synthetic_name(rng, 2),
        "family_name": synthetic_name(rng, 3),
        "patronymic": synthetic_name(rng, 3),
        "aliases": [synthetic_name(rng, 2), "فریده"],
        "date_of_birth": date(
            1970 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28)
        ),
        "documents": [f"AB{rng.randrange(10**7):07d}"],
        "sex": rng.choice(["female", "male"]),
        "nationality": rng.choice(["AF", "UZ", "TJ", "IQ"]),
        "languages": ["fa", "ru"],
        "phone": f"+998 90 {rng.randrange(10**7):07d}",
        "email": "someone@example.org",
        "address": {"street": "Mustaqillik 12", "city": "Tashkent", "region": "Toshkent"},
        "vulnerabilities": ["single_parent", "serious_medical_condition"],
        "arrival_date": date(2026, 1 + rng.randrange(12), 1 + rng.randrange(28)),
        "notes": "Met at the border point; needs psychosocial support and shelter. " * 4,
    }


def synthetic_name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def record_bench(engine: Engine, crypto: Crypto, count: int) -> dict[str, float]:
    """Milliseconds per record to write (and commit) and to read all 15 fields back."""
    rng = random.Random(1)
    records = [person_values(rng) for _ in range(count)]
    results: dict[str, float] = {}
    for label, model in (("plain", PlainPerson), ("encrypted", EncryptedPerson)):

        def write(model: type = model) -> None:
            with Session(engine) as session:
                bind_crypto(session, crypto)
                for values in records:
                    session.add(model(**values))
                    session.commit()

        def read(model: type = model, ids: list[uuid.UUID] | None = None) -> None:
            for row_id in ids or []:
                with Session(engine) as session:  # a request: fresh session, cold key cache
                    bind_crypto(session, crypto)
                    row = session.get(model, row_id)
                    for field in FIELDS:
                        getattr(row, field)

        results[f"{label} write"] = timed(write) / count * 1000
        with Session(engine) as session:
            ids = list(session.scalars(select(model.id)))  # type: ignore[attr-defined]
        results[f"{label} read"] = timed(lambda m=model, i=ids: read(m, i)) / count * 1000
    return results


def grow_population(
    engine: Engine, crypto: Crypto, start: int, stop: int, rng: random.Random
) -> None:
    """Add subjects start..stop with real data keys, ciphertexts and index rows, in bulk."""
    given_pool = [synthetic_name(random.Random(i), 2 + i % 2) for i in range(400)]
    family_pool = [synthetic_name(random.Random(10**6 + i), 3) for i in range(5000)]
    batch = 20_000
    with Session(engine) as session:
        bind_crypto(session, crypto)
        if engine.dialect.name == "sqlite":
            # Generating data, not measuring it: a large page cache keeps index inserts fast.
            session.execute(text("PRAGMA cache_size = -1000000"))
        for offset in range(start, stop, batch):
            keys, people, entries = [], [], []
            for _ in range(offset, min(stop, offset + batch)):
                subject = uuid.uuid4()
                given, family = rng.choice(given_pool), rng.choice(family_pool)
                data_key = DataKey(id=uuid.uuid4(), subject_id=subject)
                key = primitives.random_key()
                version, wrapped = crypto.wrap(data_key.id, subject, key)
                key_cache(session).put(data_key, key)
                keys.append({"id": data_key.id, "subject_id": subject, "wrapped_key": wrapped,
                             "master_version": version, "created_at": None})  # fmt: skip
                people.append({
                    "id": subject,
                    "given_name": encrypt_bytes(session, subject, Binding(
                        "bench_search_person", "given_name", subject), given.encode()),
                    "family_name": encrypt_bytes(session, subject, Binding(
                        "bench_search_person", "family_name", subject), family.encode()),
                })  # fmt: skip
                for column, value in (("given_name", given), ("family_name", family)):
                    for field, hashed in index_pairs(crypto, NAME, value):
                        entries.append({"subject_id": subject, "source_row_id": subject,
                                        "source_column": f"bench_search_person.{column}",
                                        "field": field, "value": hashed})  # fmt: skip
            now = utcnow()
            for row in keys:
                row["created_at"] = now
            session.execute(insert(DataKey), keys)
            session.execute(insert(SearchPerson.__table__), people)
            session.execute(insert(BlindIndexEntry), entries)
            session.commit()
            forget_keys(session)


def plant_targets(engine: Engine, crypto: Crypto) -> None:
    """Three people the searches must find, created through the ordinary API."""
    with Session(engine) as session:
        bind_crypto(session, crypto)
        for given in ("Farida", "Фарида", "فریده"):
            session.add(SearchPerson(id=uuid.uuid4(), given_name=given, family_name="Rahimi"))
        session.commit()


def search_bench(engine: Engine, crypto: Crypto, sizes: list[int]) -> list[tuple[int, float, int]]:
    """Median milliseconds of a full-name search (fresh session each) at each population."""
    rng = random.Random(7)
    plant_targets(engine, crypto)
    results = []
    grown = 0
    for size in sizes:
        grow_start = time.perf_counter()
        grow_population(engine, crypto, grown, size, rng)
        grown = size
        build = time.perf_counter() - grow_start
        timings, found = [], 0
        for query in ["Farida Rahimi", "فریده رحیمی", "Фарида Рахими"] * 7:
            with Session(engine) as session:
                bind_crypto(session, crypto)
                start = time.perf_counter()
                found = len(search(session, SearchPerson, "name", query))
                timings.append(time.perf_counter() - start)
        results.append((size, statistics.median(timings) * 1000, found))
        print(f"  population {size:>9,}: built in {build:6.1f} s, search "
              f"{results[-1][1]:6.2f} ms median, {found} found")  # fmt: skip
    return results


def rotation_bench(engine: Engine, crypto: Crypto, count: int) -> float:
    """Data keys re-wrapped per second under a new master version."""
    crypto.replace_ring(next_version(crypto.ring))
    done = 0
    start = time.perf_counter()
    while done < count:
        with Session(engine) as session:
            rewrapped = rewrap_batch(session, crypto, batch_size=1000)
            session.commit()
        if not rewrapped:
            break
        done += rewrapped
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rotate", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        BenchBase.metadata.drop_all(engine)
        BenchBase.metadata.create_all(engine)
        crypto = Crypto(new_keyring(development=False))
        print(f"database: {engine.dialect.name}")

        records = record_bench(engine, crypto, args.records)
        print(f"15-field person record, {args.records} records, ms per record:")
        for label, value in records.items():
            print(f"  {label:16} {value:7.3f}")
        for verb in ("write", "read"):
            ratio = records[f"encrypted {verb}"] / records[f"plain {verb}"]
            print(f"  encrypted/plain {verb}: {ratio:.2f}x")

        print("blind-index search by full name (3 scripts, median of 21):")
        results = search_bench(engine, crypto, sizes)
        base = results[0][1]
        for size, millis, _found in results:
            print(f"  {size:>9,} people: {millis / base:5.2f}x the {sizes[0]:,} time")

        rate = rotation_bench(engine, crypto, args.rotate)
        print(f"rotation: {rate:,.0f} data keys re-wrapped per second")
        BenchBase.metadata.drop_all(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
