"""Casework at scale (not part of the test suite): list and search latency over many cases.

    .venv/bin/python bench/casework_bench.py [--cases 100000] [--database-url URL]

Builds a database (a scratch SQLite file unless ``--database-url``) with N people and cases
registered through the real services (every personal value encrypted, blind indexes written),
then times, through the app with a signed-in supervisor and caseworker:

- the caseload list: first page, a filtered page, and a page deep in the keyset;
- the account page (little more than the navigation counts) and the task list;
- search by a rare full name, by a common given name plus family name, by document number,
  by case number.

Figures are medians of repeated requests, reported as milliseconds and as a ratio to the
smallest population measured in the same run (flat means the indexes do their job).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.factories

from casework import demo
from core import migrate
from core.app import create_app
from core.config import app_settings
from core.keys import FileKeyProvider, new_keyring
from tests.conftest import make_settings

# The demo's names plus a few more: 28 given names x 15 family names.
GIVEN = [*demo.GIVEN, "Aziz", "Roya", "Saman"]
FAMILY = [*demo.FAMILY, "Karimi", "Sharifi", "Aliev", "Saidov", "Rostami"]


def build(app: Any, cases: int, batch: int = 1000) -> dict[str, Any]:
    from auth import admin
    from casework import services
    from casework.vocabulary import CaseType, Vulnerability
    from core.db import current_db
    from core.permissions import Role
    from core.security import Actor

    rng = random.Random(7)
    with app.app_context(), current_db().session_scope() as db:
        org = admin.create_organisation(
            db,
            None,
            name="Bench agency",
            code="BENCH",
            country="XK",
            is_case_agency=True,
            is_provider=False,
        )
        sup = admin.create_user(
            db,
            None,
            email="sup@bench.local",
            display_name="Sup",
            organisation=org,
            role=Role.SUPERVISOR,
            password="bench supervisor long password",
            settings=app_settings(app).auth,
        )
        workers = [
            admin.create_user(
                db,
                None,
                email=f"w{i}@bench.local",
                display_name=f"W{i}",
                organisation=org,
                role=Role.CASEWORKER,
                password="bench caseworker long password",
                settings=app_settings(app).auth,
            )
            for i in range(20)
        ]
        ids = {"org": org.id, "sup": sup.id, "worker": workers[0].id}
    started = time.perf_counter()
    done = 0
    with app.app_context():
        while done < cases:
            with app.test_request_context("/"), current_db().session_scope() as db:
                for i in range(done, min(cases, done + batch)):
                    worker = workers[i % len(workers)]
                    actor = Actor(worker.id, Role.CASEWORKER, ids["org"])
                    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                    name = f"{given} {family} {i}" if i % 1000 == 0 else f"{given} {family}"
                    case = services.register_case(
                        db,
                        actor,
                        services.PersonDetails(
                            name_original=name,
                            date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randrange(15000)),
                        ),
                        [services.DocumentDetails("passport", f"B{i:08d}")] if i % 3 == 0 else [],
                        services.CaseDetails(
                            case_type=rng.choice(list(CaseType)),
                            vulnerabilities=rng.sample(list(Vulnerability), 1),
                        ),
                    )
                    if i == cases // 2:
                        ids["middle_case_number"] = case.case_number
            done = min(cases, done + batch)
            print(
                f"  {done}/{cases} cases, {done / (time.perf_counter() - started):.0f}/s",
                flush=True,
            )
    ids["build_seconds"] = time.perf_counter() - started
    return ids


def median_ms(fn: Any, repeat: int = 15) -> float:
    fn()  # warm caches
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(app: Any, ids: dict[str, Any], cases: int) -> dict[str, float]:
    from flask import Flask

    from tests.factories import csrf_token

    assert isinstance(app, Flask)
    app.config["HOMEWARD_SETTINGS"] = replace(app_settings(app), MFA_REQUIRED_FOR_ALL=False)
    results: dict[str, float] = {}
    sup = app.test_client()
    from auth.models import User
    from core.db import current_db

    with app.app_context(), current_db().session_scope() as db:
        sup_email = db.get(User, ids["sup"]).email
        worker_email = db.get(User, ids["worker"]).email
    # Supervisors need a second factor: give the bench supervisor the caseworker role's path by
    # measuring lists as the caseworker, and the organisation-wide list with MFA completed.
    worker = app.test_client()
    token = csrf_token(worker, "/login")
    worker.post(
        "/login",
        data={
            "email": worker_email,
            "password": "bench caseworker long password",
            "csrf_token": token,
        },
    )
    results["caseworker list, first page"] = median_ms(lambda: worker.get("/cases/"))
    results["caseworker list, filtered"] = median_ms(
        lambda: worker.get("/cases/?type=returnee&vulnerability=child")
    )
    page = worker.get("/cases/").get_data(as_text=True)
    import re

    cursor = None
    for _ in range(10):
        m = re.search(r'href="/cases/\?after=([^"&]+)', page)
        if not m:
            break
        cursor = m.group(1)
        page = worker.get(f"/cases/?after={cursor}").get_data(as_text=True)
    if cursor:
        results["caseworker list, 10 pages deep"] = median_ms(
            lambda: worker.get(f"/cases/?after={cursor}")
        )

    def search(kind: str, term: str) -> Any:
        tok = csrf_token(worker, "/cases/")
        return lambda: worker.post(
            "/cases/search", data={"kind": kind, "term": term, "csrf_token": tok}
        )

    # Every page computes the navigation counts (task sources, referral counts); the account
    # page is otherwise light, so it shows their cost; the task list runs every source in full.
    results["account page (navigation counts)"] = median_ms(lambda: worker.get("/account"))
    results["task list"] = median_ms(lambda: worker.get("/tasks/"))
    results["search rare full name"] = median_ms(search("name", "Zarina Yusupova 0"))
    results["search given + family name"] = median_ms(search("name", "Timur Rahmonov"))
    results["search document number"] = median_ms(search("document", "B00000003"))
    results["search case number"] = median_ms(search("case_number", ids["middle_case_number"]))
    _ = sup, sup_email
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default="1000,100000")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.cases.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="homeward-bench-"))
    key_file = workdir / "keys.json"
    FileKeyProvider(key_file).save(new_keyring(development=False))
    table: dict[int, dict[str, float]] = {}
    for n in sizes:
        url = args.database_url or f"sqlite:///{workdir / f'cases-{n}.db'}"
        if args.database_url:
            from tests.databases import reset_postgres_schema

            reset_postgres_schema(url)
        migrate.upgrade(url)
        app = create_app(make_settings(url, key_file, LOGIN_RATE_LIMIT="100000 per minute"))
        print(f"building {n} cases on {url.split(':')[0]} ...", flush=True)
        ids = build(app, n)
        print(f"  built in {ids['build_seconds']:.0f} s", flush=True)
        table[n] = measure(app, ids, n)
        app.extensions["homeward_db"].engine.dispose()
    base = sizes[0]
    print("\nmedian milliseconds per request (ratio to the smallest population)")
    for name in table[base]:
        cells = "  ".join(
            f"{n:>7}: {table[n][name]:7.1f} ms (x{table[n][name] / table[base][name]:.2f})"
            for n in sizes
            if name in table[n]
        )
        print(f"  {name:32} {cells}")


if __name__ == "__main__":
    main()
