"""Figures at scale (not part of the test suite): the dashboards over many cases' skeletons.

    .venv/bin/python bench/reports_bench.py [--cases 1000,100000] [--database-url URL]

The figures read only the statistical skeleton (``case_skeleton`` and its detail rows), so this
fills those tables directly, in bulk (``bench/skeleton_fill.py``), with a seeded, realistic mix
(case types, sexes, CTDC age bands, nationalities, kinds of exploitation and means of control,
durations, referrals in every state with decline reasons, quarterly sustainability scores, plan
actions, closures, erasures) over 24 months and 6 organisations; ``bench/generate.py`` builds
whole databases (people, cases, audit) when the rest of the system is measured too.

Then it times (medians of repeated calls, milliseconds, and the ratio to the smallest
population measured in the same run), for every organisation all time and a year, and one
organisation a year and a month: ``reports.indicators.compute`` + ``headline`` in-process
(never cached: what the tests check), and ``reports.indicators.figures`` (what a page asks
for: both from one reading, kept a short while) both first (its cache emptied before every
call) and repeated (answered from the cache). Where the dashboards exist (``/reports/national``
and ``/reports/team``), it also times them through the app with a signed-in analyst and
supervisor: the national page all time and a year, filtered to one organisation and one sex,
the team page and the XLSX download, first and repeated. The issue's target: a dashboard
answers in under 300 ms at 100,000 cases.

Run it on SQLite (default, files in ``--workdir``) and on PostgreSQL (``--database-url``, a
database it may empty); ``--reuse`` measures a database already filled with the same number of
cases again without refilling it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.factories

from sqlalchemy import text

from bench.skeleton_fill import MONTHS, check_codes, fill
from core import migrate
from core.app import create_app
from core.config import app_settings
from core.keys import FileKeyProvider, new_keyring


def median_ms(fn: Any, repeat: int, before: Any = None) -> float:
    """Median milliseconds of ``fn`` after one warm-up call; ``before`` runs untimed before
    every call (e.g. to empty a cache, so each call is a first one)."""
    if before:
        before()
    fn()  # warm the database's and the process's caches
    times = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
        status = getattr(result, "status_code", 200)
        if status != 200:
            raise SystemExit(f"answered {status}")
    return statistics.median(times)


def _organisations(app: Any, db: Any, n: int, build: bool) -> tuple[list[Any], list[Any]]:
    """The agencies the skeletons belong to and the providers their referrals went to: made
    (build) or, reusing a filled database, read back from the skeletons."""
    from sqlalchemy import select

    from auth.models import Organisation
    from casework.skeleton.models import CaseSkeleton, CaseSkeletonReferral
    from tests.factories import make_organisation

    if build:
        agencies = [make_organisation(app, db) for _ in range(6)]
        providers = [make_organisation(app, db, agency=False, provider=True) for _ in range(10)]
        return agencies, providers

    def read(column: Any) -> list[Any]:
        ids = db.scalars(select(column).distinct().where(column.is_not(None))).all()
        return list(
            db.scalars(
                select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
            )
        )

    return read(CaseSkeleton.organisation_id), read(CaseSkeletonReferral.provider_id)


def measure(app: Any, n: int, build: bool, repeat: int) -> dict[str, float]:
    from core.db import current_db
    from core.permissions import Role
    from reports import indicators
    from tests.factories import make_account

    with app.app_context(), current_db().session_scope() as db:
        agencies, providers = _organisations(app, db, n, build)
        run = uuid.uuid4().hex[:8]  # accounts of earlier runs stay in a reused database
        analyst = make_account(
            app, db, Role.ANALYST, organisation=agencies[0], email=f"analyst-{run}@example.org"
        )
        supervisor = make_account(
            app, db, Role.SUPERVISOR, organisation=agencies[0], email=f"lead-{run}@example.org"
        )
        if build:
            started = time.perf_counter()
            fill(db, [a.id for a in agencies], [p.id for p in providers], n)
            print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
        db.commit()
        if db.get_bind().dialect.name == "postgresql":
            # As a database in use is: vacuumed (hint bits set, visibility map written) and
            # analysed; else the first timed reads write the hint bits of every fresh row.
            with db.get_bind().connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        forget = getattr(indicators, "forget_cached", None)  # figures() and its cache
        other = agencies[1].id
        results = time_figures(app, db, other, forget, repeat)
        db.commit()
    if "reports.national" not in app.view_functions:
        print("  (no /reports/national on this branch: figures measured in-process only)")
        return results
    # The pages are asked outside the app context above: a request inside it would share its
    # ``g`` (and the CSRF token kept there) with every other request.
    return results | time_pages(app, (analyst, supervisor), other, forget, repeat)


def _periods(organisation: Any) -> list[tuple[str, Any]]:
    """The filters timed in-process: every organisation all time and a year, ``organisation``
    a year and a month."""
    from reports.tables import Filters

    one = frozenset({organisation})
    year = {"start": date(2025, 1, 1), "end": date(2025, 12, 1)}
    return [
        ("every organisation, all time", Filters()),
        ("every organisation, a year", Filters(**year)),
        ("one organisation, a year", Filters(**year, organisation_ids=one)),
        (
            "one organisation, a month",
            Filters(start=date(2025, 6, 1), end=date(2025, 6, 1), organisation_ids=one),
        ),
    ]


def _reading(app: Any, db: Any, filters: Any, *, cached: bool) -> Any:
    """A call of ``figures()`` (what a page asks, kept a while) or, not ``cached``, of
    ``compute()`` + ``headline()`` (never kept), with the app's report settings."""
    from reports import indicators

    settings = app_settings(app)
    options = {"visit_interval_days": settings.VISIT_INTERVAL_DAYS}
    due = settings.PLAN_DUE_DAYS

    def run() -> Any:
        if cached:
            return indicators.figures(db, filters, settings.reports, due, **options)
        sections = indicators.compute(db, filters, settings.reports, due, **options)
        indicators.headline(db, filters, settings.reports)
        return sections

    return run


def time_figures(
    app: Any, db: Any, organisation: Any, forget: Any, repeat: int
) -> dict[str, float]:
    """``compute()`` + ``headline()`` (never cached) and ``figures()`` first and repeated,
    in-process, for each of :func:`_periods`."""
    results: dict[str, float] = {}
    for name, filters in _periods(organisation):
        uncached = _reading(app, db, filters, cached=False)
        results[f"compute()+headline(), {name}"] = median_ms(uncached, repeat)
        if forget is not None:
            page = _reading(app, db, filters, cached=True)
            results[f"figures() first (cache emptied), {name}"] = median_ms(
                page, repeat, before=forget
            )
            results[f"figures() repeated (cached), {name}"] = median_ms(page, repeat)
    return results


def time_pages(
    app: Any, accounts: tuple[Any, Any], other: Any, forget: Any, repeat: int
) -> dict[str, float]:
    """The dashboards through the app, signed in as the analyst and the supervisor of
    ``accounts``, first (``forget`` empties the figures' cache) and repeated; ``other``: the
    organisation one page is filtered to."""
    from tests.factories import sign_in

    analyst, supervisor = accounts
    results: dict[str, float] = {}
    national = app.test_client()
    sign_in(national, analyst)
    team = app.test_client()
    sign_in(team, supervisor)
    year_args = "start=2025-01&end=2025-12"  # the filter form's fields
    every_month = f"start={MONTHS[0]}&end={MONTHS[-1]}"  # all the filled months: every case
    pages = (
        ("GET /reports/national, the default period (last month)", national, "/reports/national"),
        ("GET /reports/national, a year", national, f"/reports/national?{year_args}"),
        ("GET /reports/national, all 24 months", national, f"/reports/national?{every_month}"),
        (
            "GET /reports/national, one organisation + sex",
            national,
            f"/reports/national?{year_args}&organisation={other}&sex=female",
        ),
        ("GET /reports/team, a year", team, f"/reports/team?{year_args}"),
        (
            "GET /reports/national XLSX, a year",
            national,
            f"/reports/national?{year_args}&format=xlsx",
        ),
    )
    for name, client, url in pages:

        def get(client: Any = client, url: str = url) -> Any:
            return client.get(url)

        if "start=" in url and "format=" not in url:  # the page measured is the period asked
            shown = get().get_data(as_text=True)
            period = re.search(r"start=([0-9-]+)&end=([0-9-]+)", url)
            assert period is not None, url
            assert all(f'value="{month}"' in shown for month in period.groups()), url

        if forget is not None:
            results[f"{name} (first)"] = median_ms(get, repeat, before=forget)
            results[f"{name} (repeated)"] = median_ms(get, repeat)
        else:
            results[name] = median_ms(get, repeat)
    return results


def skeletons_held(url: str) -> int:
    """How many skeletons the database at ``url`` holds (-1: no such table yet)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM case_skeleton")).scalar_one())
    except DBAPIError:
        return -1
    finally:
        engine.dispose()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default="1000,100000")
    parser.add_argument("--database-url", default=None, help="PostgreSQL (default: SQLite files)")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per figure")
    parser.add_argument(
        "--workdir",
        default=None,
        help="keep the SQLite files and keys here; with --reuse, a database that already "
        "holds exactly the cases asked for is measured again without refilling",
    )
    parser.add_argument("--reuse", action="store_true")
    return parser.parse_args()


def _prepared(url: str, n: int, workdir: Path, args: argparse.Namespace) -> bool:
    """Empty the database of ``url`` unless ``--reuse`` finds it holding ``n`` skeletons,
    then migrate it; whether it is to be filled."""
    build = not (args.reuse and skeletons_held(url) == n)
    if build:
        if args.database_url:
            from tests.databases import reset_postgres_schema

            reset_postgres_schema(url)
        else:
            Path(workdir / f"figures-{n}.db").unlink(missing_ok=True)
    migrate.upgrade(url)
    return build


def _app(url: str, key_file: Path) -> Any:
    """The app as the tests make it (cheap password hashing, no mail), sign-ins unlimited."""
    from tests.conftest import make_settings

    return create_app(make_settings(url, key_file, LOGIN_RATE_LIMIT="100000 per minute"))


def _print_table(table: dict[int, dict[str, float]], sizes: list[int], backend: str) -> None:
    base = sizes[0]
    print(
        f"\n{backend}: median milliseconds (ratio to the smallest population); "
        "target < 300 ms at 100,000"
    )
    for name in table[base]:
        cells = "  ".join(
            f"{n:>7}: {table[n][name]:8.1f} ms (x{table[n][name] / table[base][name]:.2f})"
            for n in sizes
            if name in table[n]
        )
        print(f"  {name:62} {cells}")


def main() -> None:
    args = _arguments()
    check_codes()
    sizes = [int(s) for s in args.cases.split(",")]
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="homeward-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    key_file = workdir / "keys.json"
    if not key_file.exists():
        FileKeyProvider(key_file).save(new_keyring(development=False))
    table: dict[int, dict[str, float]] = {}
    backend = "postgresql" if args.database_url else "sqlite"
    for n in sizes:
        url = args.database_url or f"sqlite:///{workdir / f'figures-{n}.db'}"
        build = _prepared(url, n, workdir, args)
        app = _app(url, key_file)
        print(
            f"{'filling' if build else 'reusing'} {n} case skeletons on {backend} ...", flush=True
        )
        table[n] = measure(app, n, build, args.repeat)
        app.extensions["homeward_db"].engine.dispose()
    _print_table(table, sizes, backend)


if __name__ == "__main__":
    main()
