"""P1 (issue 18): the case team's pages in-process, timed or profiled, to find where they cost.

    .venv/bin/python bench/pages_profile.py --database-url URL --key-file KEYS
        [--pages case_list,case_page,today,tasks,account] [--repeat 30]
        [--profile PAGE [--sort cumulative|tottime] [--limit 60]] [--sql]

On a database filled by ``bench/generate.py`` (``KEYS``: the key file it used), signs the
caseworker with the most open cases in through the login form and requests each page through
the WSGI test client (no network, no gunicorn): three warm-up requests, then ``--repeat``
timed ones. Prints per page the median and fastest wall time, the median CPU time of this
process (steadier than wall time on a shared machine: it leaves out waiting for the CPU and
for the database server) and the number of SQL statements of one request. ``--profile PAGE``
runs that page under cProfile instead and prints the statistics; ``--sql`` prints the
statements of one request of each page, each with the time the database took for it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import PASSWORD, database_facts  # noqa: E402

PAGES = "case_list,case_page,today,tasks,account"


def signed_in(args: argparse.Namespace) -> tuple[Any, Any, dict[str, str]]:
    """The app, a client signed in as the busiest caseworker, and the pages' paths."""
    from core.app import create_app
    from core.config import Settings
    from tests.factories import post_form

    _cases, email = database_facts(args.database_url)
    app = create_app(
        Settings.from_env(
            DATABASE_URL=args.database_url,
            KEY_FILE=args.key_file,
            MFA_REQUIRED_FOR_ALL=False,
            ENV="development",
        )
    )
    client = app.test_client()
    if post_form(client, "/login", {"email": email, "password": PASSWORD}).status_code != 302:
        raise SystemExit("the caseworker could not sign in")
    listing = client.get("/cases/").get_data(as_text=True)
    case = re.search(r'href="(/cases/[0-9a-f-]{36})"', listing)
    if case is None:
        raise SystemExit("the case list shows no case")
    paths = {"case_list": "/cases/", "case_page": case.group(1), "today": "/today/"}
    paths["tasks"] = "/tasks/"
    return app, client, {**paths, "account": "/account"}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--pages", default=PAGES)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--sql", action="store_true")
    return parser.parse_args()


def _statements_of(engine: Any) -> list[str]:
    """A list that every statement ``engine`` runs is added to, after its database time."""
    from sqlalchemy import event

    statements: list[str] = []
    begun: list[float] = []
    event.listen(engine, "before_cursor_execute", lambda *a: begun.append(time.perf_counter()))
    event.listen(
        engine,
        "after_cursor_execute",
        lambda *a: statements.append(
            f"{(time.perf_counter() - begun.pop()) * 1000:6.2f} ms  " + " ".join(str(a[2]).split())
        ),
    )
    return statements


def _timed(name: str, get: Any, path: str, repeat: int, count: int) -> None:
    """Print the median and fastest wall time and the median CPU time of ``repeat`` GETs."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    print(
        f"{name} median_ms={statistics.median(wall):.1f} min_ms={min(wall):.1f} "
        f"cpu_median_ms={statistics.median(cpu):.1f} sql={count}",
        flush=True,
    )


def main() -> None:
    args = _arguments()
    app, client, paths = signed_in(args)
    statements = _statements_of(app.extensions["homeward_db"].engine)

    def get(path: str) -> None:
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path} answered {status}")

    for name in args.pages.split(","):
        path = paths[name]
        for _ in range(3):
            get(path)
        statements.clear()
        get(path)
        if args.sql:
            print("\n".join(f"  {s[:200]}" for s in statements))
        if args.profile != name:
            _timed(name, get, path, args.repeat, len(statements))
            continue
        profile = cProfile.Profile()
        profile.runcall(lambda: [get(path) for _ in range(args.repeat)])  # noqa: B023
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.limit)
        print(out.getvalue())


if __name__ == "__main__":
    main()
