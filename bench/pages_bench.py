"""P6 (issue 18): the pages of a big database, in-process, and registrations per second.

    .venv/bin/python bench/pages_bench.py --database-url URL [--people N] [--reuse]
        [--workdir DIR] [--repeat 30] [--registrations 200]

On a database filled by ``bench/generate.py`` (``--people`` people unless ``--reuse``; keys in
``--workdir``), signs in the generated caseworker with the most open cases and a new auditor
(second factor enrolled, as auditors must) through the real pages, then reports the median
server time (in-process, through the WSGI app, no network) of the case list, a case page
(cycling over the caseworker's cases), the task list and the audit log page, and the rate of
registrations through the registration form, one after the other (sustained over
``--registrations``), of people drawn as the population is (``bench/registration_people.py``).
The issue's target, at 1,000,000 people, 1,000,000 cases and 10,000,000 audit events on
PostgreSQL: every page <= 50 ms median, >= 50 registrations/s.
Prints one line ``P6 people=<n> case_list_ms=... case_page_ms=... task_list_ms=...
audit_log_ms=... registrations_per_s=...``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import PASSWORD, database_facts, fill  # noqa: E402


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm: first use of a page's queries and templates
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = fn()
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"answered {response.status_code}")
    return statistics.median(times)


def clients(app: Any, email: str) -> tuple[Any, Any]:
    """The caseworker's and a new auditor's signed-in test clients."""
    from core.db import current_db
    from core.permissions import Role
    from tests.factories import make_account, post_form, sign_in

    worker = app.test_client()
    response = post_form(worker, "/login", {"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit("the caseworker could not sign in")
    from sqlalchemy import select

    from auth.models import User

    with app.app_context(), current_db().session_scope() as db:
        agency = db.scalar(select(User).where(User.email == email)).organisation
        auditor = make_account(
            app,
            db,
            Role.AUDITOR,
            organisation=agency,
            email=f"auditor-{uuid.uuid4().hex[:8]}@bench.homeward.test",
        )
    reader = app.test_client()
    sign_in(reader, auditor)
    return worker, reader


def registrations_per_s(worker: Any, count: int) -> float:
    """Registrations through the form, one after the other, of people drawn as the population
    is (``bench/registration_people.py``), drawn afresh each run."""
    from registration_people import registration_forms

    from tests.casework.helpers import register

    forms = registration_forms(count)
    started = time.perf_counter()
    for data in forms:
        response = register(worker, data)
        if response.status_code != 302:
            raise SystemExit(f"registration answered {response.status_code}")
    return count / (time.perf_counter() - started)


def measure(app: Any, email: str, args: argparse.Namespace) -> dict[str, float]:
    worker, reader = clients(app, email)
    listing = worker.get("/cases/").get_data(as_text=True)
    cases = re.findall(r'href="(/cases/[0-9a-f-]{36})"', listing)
    if not cases:
        raise SystemExit("the case list shows no case")
    turn = iter(range(10**9))
    return {
        "case_list_ms": median_ms(lambda: worker.get("/cases/"), args.repeat),
        "case_page_ms": median_ms(lambda: worker.get(cases[next(turn) % len(cases)]), args.repeat),
        "task_list_ms": median_ms(lambda: worker.get("/tasks/"), args.repeat),
        "audit_log_ms": median_ms(lambda: reader.get("/audit/"), args.repeat),
        "registrations_per_s": registrations_per_s(worker, args.registrations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--registrations", type=int, default=200)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="homeward-p6-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {"HOMEWARD_KEY_FILE": str(workdir / "keys.json")}
    if not args.reuse:
        fill(args.database_url, args.people, env)
    people, email = database_facts(args.database_url)

    from core.app import create_app
    from core.config import Settings

    app = create_app(
        Settings.from_env(
            DATABASE_URL=args.database_url,
            KEY_FILE=env["HOMEWARD_KEY_FILE"],
            MFA_REQUIRED_FOR_ALL=False,
        )
    )
    results = measure(app, email, args)
    print("P6 people=" + str(people) + " " + " ".join(f"{k}={v:.1f}" for k, v in results.items()))


if __name__ == "__main__":
    main()
