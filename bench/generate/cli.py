"""The command: ``python bench/generate.py --people N [--audit-events M] --database-url URL
[--seed S] [--append] [--chunk 1000]`` (or ``python -m bench.generate``)."""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from core.config import Settings

from .audit import append_audit_events
from .cases import Builder, Counters, write_chunk
from .people import person_values
from .reference import ensure_reference
from .tables import EMAIL_DOMAIN, PASSWORD


@contextmanager
def skeleton_tracking_paused() -> Iterator[None]:
    """Take the skeleton tracker's flush listeners off while chunks are written (the counters'
    flush must not rebuild anything): :meth:`Builder.chunk` writes each skeleton once
    instead. Put back on exit."""
    from casework.skeleton import tracking

    for name, listener in tracking.LISTENERS:
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


def prepare(database_url: str, key_file: str | None, say: Any) -> tuple[str, str]:
    """The key file (made when missing) and the database (migrated when empty)."""
    from core import migrate
    from core.db import normalise_url
    from core.keys import ensure_development_key_file

    key_file = key_file or os.environ.get("HOMEWARD_KEY_FILE") or Settings().KEY_FILE
    if ensure_development_key_file(key_file):
        say(f"made a development key file at {key_file}")
    url = normalise_url(database_url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if database_is_empty(url):
        say("migrating the empty database to head ...", flush=True)
        migrate.upgrade(url)
    return url, key_file


def people_chunks(app: Any, builder: Builder, plan: tuple[int, int, list[str]], say: Any) -> float:
    """Write ``people`` people in chunks of ``chunk`` (one commit each); returns seconds.

    A writer thread inserts and commits one chunk while the next is built and encrypted
    (the database works while Python does)."""
    database = app.extensions["homeward_db"]
    people, chunk, districts = plan
    started = time.perf_counter()
    done = 0
    writing: Future[None] | None = None
    with skeleton_tracking_paused(), ThreadPoolExecutor(max_workers=1) as writer:
        while done < people:
            size = min(chunk, people - done)
            values = [person_values(builder.rng, districts) for _ in range(size)]
            with database.session_scope() as db:
                rows = builder.chunk(db, values)
            waited = time.perf_counter()
            if writing is not None:
                writing.result()
                report_progress(say, done, people, started)
            builder.timings["waiting for the writer"] += time.perf_counter() - waited
            writing = writer.submit(write, app, builder, rows, builder.counters())
            done += size
        if writing is not None:
            writing.result()
    report_progress(say, done, people, started)
    return time.perf_counter() - started


def report_progress(say: Any, done: int, people: int, started: float) -> None:
    rate = done / (time.perf_counter() - started)
    say(f"  people {done:,}/{people:,}  {rate:,.0f} people/s", flush=True)


def write(app: Any, builder: Builder, rows: Any, counters: Counters) -> None:
    """The writer thread's part: one chunk's rows and counters, one commit."""
    started = time.perf_counter()
    with app.app_context(), app.extensions["homeward_db"].session_scope() as db:
        write_chunk(db, rows, counters)
    builder.timings["inserts and commit (beside building)"] += time.perf_counter() - started


def builder_for(db: Session, app: Any, seed: int, run: tuple[int, bool]) -> Builder:
    """The builder of a run of ``people`` (``run``: people, append), with staff for the cases
    there will be; SystemExit when the database holds cases and not appending. Appending
    gives other people (and other ids) than the first run of the seed."""
    from casework.models import Case

    people, append = run
    existing = db.scalar(select(func.count()).select_from(Case)) or 0
    if existing and not append:
        raise SystemExit(
            f"the database holds {existing} case(s) already; pass --append to add to them"
        )
    ref = ensure_reference(db, app.config["HOMEWARD_SETTINGS"], existing + people)
    return Builder(db, ref, random.Random(f"{seed}:{existing}" if existing else seed))


def counted(summary: Summary, builder: Builder) -> None:
    """What the builder counted, into the summary."""
    summary.milestones = dict(builder.milestones)
    summary.stages = dict(builder.stages)
    summary.case_types = dict(builder.case_types)
    summary.referral_states = dict(builder.referral_states)
    summary.visits = builder.visits
    summary.timings = dict(builder.timings)


def analyse(database: Any, say: Any) -> None:
    """The planner's statistics brought up to the bulk-loaded tables (as after a restore):
    PostgreSQL's autovacuum may be off or not yet round, and SQLite's connections gather
    theirs only after serving a while (``core.db.SQLITE_OPTIMIZE_FIRST_SECONDS``); with none,
    or those of near-empty tables, the planner picks an organisation's index over a
    caseworker's."""
    say("analysing the tables ...", flush=True)
    with database.engine.connect() as conn:
        if database.engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            return
        conn.exec_driver_sql("ANALYZE")  # (each index read only so far: analysis_limit)
        conn.commit()


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
    from casework.skeleton.services import fill_missing
    from core.db import current_db

    say = (lambda *_a, **_k: None) if quiet else print
    url, key_file = prepare(database_url, key_file, say)
    app = make_app(url, key_file)
    summary = Summary(people=people, audit_events=audit_events)
    try:
        with app.app_context():
            database = current_db()
            with database.session_scope() as db:
                builder = builder_for(db, app, seed, (people, append))
            say(
                f"generating {people:,} people on {url.split(':')[0]} (seed {seed}) ...", flush=True
            )
            summary.seconds = people_chunks(
                app, builder, (people, chunk, sorted(builder.ref.provinces)), say
            )
            with database.session_scope() as db:
                summary.skeletons_built = fill_missing(db)
            if audit_events:
                summary.audit_seconds = append_audit_events(
                    database.session_scope, audit_events, random.Random(seed + 1), say=say
                )
            analyse(database, say)
            counted(summary, builder)
    finally:
        app.extensions["homeward_db"].engine.dispose()
    return summary


def report(s: Summary) -> None:
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
    report(
        generate(
            args.database_url,
            args.people,
            audit_events=args.audit_events,
            seed=args.seed,
            append=args.append,
            chunk=args.chunk,
        )
    )
    return 0
