"""Figures at scale (not part of the test suite): the dashboards over many cases' skeletons.

    .venv/bin/python bench/reports_bench.py [--cases 1000,100000] [--database-url URL]

The figures read only the statistical skeleton (``case_skeleton`` and its detail rows), so this
fills those tables directly, in bulk, with a seeded, realistic mix (case types, sexes, CTDC age
bands, nationalities, kinds of exploitation and means of control, durations, referrals in every
state with decline reasons, quarterly sustainability scores, plan actions, closures, erasures)
over 24 months and 6 organisations; ``bench/generate.py`` builds whole databases (people, cases,
audit) when the rest of the system is measured too.

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
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.factories

from sqlalchemy import insert, text

from core import migrate
from core.app import create_app
from core.config import Settings, app_settings
from core.keys import FileKeyProvider, new_keyring

MONTHS = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(24)]
# Real codes of the vocabularies the figures read (casework.vocabulary, screening, consent,
# closure, monitoring, referrals), with a realistic skew and some unknowns (None).
CASE_TYPES = (
    ["returnee"] * 6 + ["presumed_victim"] * 3 + ["identified_victim"] * 2 + ["returnee_and_victim"]
)
SEXES = ["female"] * 5 + ["male"] * 5 + ["other", "unknown", None]
BANDS = [
    "0-8",
    "9-17",
    "9-17",
    "18-20",
    "21-23",
    "24-26",
    "27-29",
    "30-38",
    "30-38",
    "39-47",
    "48+",
    None,
]
NATIONALITIES = ["AF"] * 12 + ["PK", "PK", "IR", "TR", "UZ", "TJ", None]
EXPLOITATION = [
    "forced_labour",
    "sexual_exploitation",
    "child_labour",
    "forced_marriage",
    "servitude",
    "forced_begging",
    "organ_removal",
    "forced_criminality",
    "other",
]
CONTROL = [
    "debt_bondage",
    "takes_earnings",
    "threats",
    "psychological_abuse",
    "physical_abuse",
    "sexual_abuse",
    "false_promises",
    "restricts_movement",
    "withholds_documents",
    "threats_to_family",
]
SERVICES = [
    "health",
    "mental_health",
    "legal",
    "shelter",
    "education",
    "vocational_training",
    "employment",
    "business_grant",
    "family_tracing",
    "documentation",
    "cash_assistance",
    None,
]
STATES = [
    "sent",
    "accepted",
    "accepted",
    "declined",
    "expired",
    "completed",
    "completed",
    "completed",
    "not_completed",
    "cancelled",
]
# ReferralEvent.reason_code of a decline (free codes; "no_capacity" as the tests use) or none.
DECLINES = ["no_capacity", "no_capacity", "not_offered_here", "not_eligible", None]
CLOSURES = [
    "support_period_ended",
    "no_longer_eligible",
    "opted_out",
    "left_area",
    "death",
    "lost_contact",
    "funding_ended",
    "other",
    None,
]
DIMENSIONS = ["economic", "social", "psychosocial"]
COMPOSITE = "composite"


def check_codes() -> None:
    """Every code above is a real code of its vocabulary (the bench fails rather than measure
    made-up rows)."""
    from casework.closure.vocabulary import ClosureReason
    from casework.consent.vocabulary import ServiceType
    from casework.monitoring.vocabulary import Dimension
    from casework.screening.vocabulary import ExploitationType, MeansOfControl
    from casework.statistics import AGE_BANDS
    from casework.vocabulary import CaseType, Sex
    from referrals.vocabulary import ReferralState

    for codes, known in (
        (CASE_TYPES, {t.value for t in CaseType}),
        (SEXES, {s.value for s in Sex}),
        (BANDS, {band for _low, _high, band in AGE_BANDS}),
        (EXPLOITATION, {e.value for e in ExploitationType}),
        (CONTROL, {m.value for m in MeansOfControl}),
        (SERVICES, {s.value for s in ServiceType}),
        (STATES, {s.value for s in ReferralState}),
        (CLOSURES, {r.value for r in ClosureReason}),
        (DIMENSIONS, {d.value for d in Dimension}),
    ):
        unknown = {c for c in codes if c is not None} - known
        if unknown:
            raise SystemExit(f"not codes of their vocabulary: {sorted(unknown)}")


def fill(db: Any, organisations: list[uuid.UUID], providers: list[uuid.UUID], n: int) -> None:
    from casework.skeleton.models import (
        CaseSkeleton,
        CaseSkeletonAction,
        CaseSkeletonCode,
        CaseSkeletonReferral,
        CaseSkeletonScore,
    )

    rng = random.Random(11)
    batch = 5000
    for start in range(0, n, batch):
        skeletons, codes, referrals, scores, actions = [], [], [], [], []
        for _ in range(start, min(n, start + batch)):
            sid = uuid.uuid4()
            m = rng.randrange(len(MONTHS))
            band = rng.choice(BANDS)
            stage = rng.random()
            closed = stage > 0.8
            skeletons.append(
                {
                    "id": sid,
                    "organisation_id": rng.choice(organisations),
                    "case_type": rng.choice(CASE_TYPES),
                    "sex": rng.choice(SEXES),
                    "age_band": band,
                    "child": None if band is None else band in ("0-8", "9-17"),
                    "nationality": rng.choice(NATIONALITIES),
                    "registered_month": MONTHS[m],
                    "province": f"AF{rng.randrange(1, 35):02d}",
                    "days_to_screening": rng.randrange(0, 30) if stage > 0.1 else None,
                    "days_to_consent": rng.randrange(0, 20) if stage > 0.15 else None,
                    "days_to_plan": rng.randrange(5, 90) if stage > 0.3 else None,
                    "days_to_first_referral": rng.randrange(1, 60) if stage > 0.35 else None,
                    "reflection_periods": 1 if rng.random() < 0.2 else 0,
                    "reflection_days": 30 if rng.random() < 0.2 else None,
                    "reopenings": 1 if rng.random() < 0.03 else 0,
                    "transfers": 1 if rng.random() < 0.05 else 0,
                    "monitoring_started_month": MONTHS[min(m + 2, 23)] if stage > 0.5 else None,
                    "visits_done": rng.randrange(0, 6) if stage > 0.5 else 0,
                    "closed_month": MONTHS[min(m + rng.randrange(3, 12), 23)] if closed else None,
                    "closure_reason": rng.choice(CLOSURES) if closed else None,
                    "erased_month": MONTHS[23] if closed and rng.random() < 0.1 else None,
                }
            )
            if stage > 0.1:
                for field, found in (
                    ("exploitation_type", rng.sample(EXPLOITATION, rng.choice((1, 1, 2)))),
                    ("means_of_control", rng.sample(CONTROL, rng.randrange(0, 4))),
                ):
                    # first_code as casework.skeleton.derived keeps it (bulk inserts skip it)
                    codes.extend(
                        {
                            "skeleton_id": sid,
                            "field": field,
                            "code": c,
                            "first_code": c == min(found),
                        }
                        for c in found
                    )
            if stage > 0.35:
                for ordinal in range(1, rng.randrange(2, 5)):
                    state = rng.choice(STATES)
                    referrals.append(
                        {
                            "skeleton_id": sid,
                            "ordinal": ordinal,
                            "service_type": rng.choice(SERVICES),
                            "provider_id": rng.choice(providers),
                            "state": state,
                            "decline_reason": rng.choice(DECLINES) if state == "declined" else None,
                            "sent_month": MONTHS[min(m + 1, 23)],
                            "days_to_answer": rng.randrange(0, 15) if state != "sent" else None,
                            "days_to_complete": rng.randrange(10, 120)
                            if state in ("completed", "not_completed")
                            else None,
                            "transnational": rng.random() < 0.05,
                        }
                    )
            if stage > 0.5:
                last = rng.randrange(2, 5) - 1
                for q in range(1, last + 1):
                    at = m + 3 * q  # may run past the last month: scores of later quarters
                    period = f"{2025 + at // 12}-Q{(at % 12) // 3 + 1}"
                    values = {d: round(rng.uniform(0.2, 1.0), 2) for d in DIMENSIONS}
                    values[COMPOSITE] = round(sum(values.values()) / len(DIMENSIONS), 4)
                    for dim, score in values.items():
                        scores.append(
                            {
                                "skeleton_id": sid,
                                "period": period,
                                "dimension": dim,
                                "quarter_since_return": q,
                                "score": score,
                                # every dimension is scored each quarter: the last is latest
                                "latest": q == last,
                            }
                        )
            if stage > 0.3:
                seen: set[str | None] = set()
                for ordinal in range(1, rng.randrange(2, 6)):
                    dimension = rng.choice([*DIMENSIONS, None])
                    actions.append(
                        {
                            "skeleton_id": sid,
                            "ordinal": ordinal,
                            "dimension": dimension,
                            "due_month": MONTHS[min(m + ordinal, 23)],
                            "done_on_time": rng.choice((True, True, False, None)),
                            # due months never go back: a dimension's first action is due first
                            "earliest_due": dimension not in seen,
                        }
                    )
                    seen.add(dimension)
        db.execute(insert(CaseSkeleton), skeletons)
        for model, rows in (
            (CaseSkeletonCode, codes),
            (CaseSkeletonReferral, referrals),
            (CaseSkeletonScore, scores),
            (CaseSkeletonAction, actions),
        ):
            if rows:
                db.execute(insert(model), rows)
        db.commit()
        print(f"  {min(n, start + batch)}/{n} skeletons", flush=True)


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
    from reports.tables import Filters
    from tests.factories import make_account, sign_in

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
        settings = app_settings(app)
        one = frozenset({agencies[1].id})
        everything = Filters()
        year = Filters(start=date(2025, 1, 1), end=date(2025, 12, 1))
        org_year = Filters(start=date(2025, 1, 1), end=date(2025, 12, 1), organisation_ids=one)
        org_month = Filters(start=date(2025, 6, 1), end=date(2025, 6, 1), organisation_ids=one)
        forget = getattr(indicators, "forget_cached", None)  # figures() and its cache

        def uncached(filters: Filters) -> Any:
            def run() -> Any:
                sections = indicators.compute(
                    db,
                    filters,
                    settings.reports,
                    settings.PLAN_DUE_DAYS,
                    visit_interval_days=settings.VISIT_INTERVAL_DAYS,
                )
                indicators.headline(db, filters, settings.reports)
                return sections

            return run

        def page(filters: Filters) -> Any:
            def run() -> Any:
                return indicators.figures(
                    db,
                    filters,
                    settings.reports,
                    settings.PLAN_DUE_DAYS,
                    visit_interval_days=settings.VISIT_INTERVAL_DAYS,
                )

            return run

        results: dict[str, float] = {}
        for name, filters in (
            ("every organisation, all time", everything),
            ("every organisation, a year", year),
            ("one organisation, a year", org_year),
            ("one organisation, a month", org_month),
        ):
            results[f"compute()+headline(), {name}"] = median_ms(uncached(filters), repeat)
            if forget is not None:
                results[f"figures() first (cache emptied), {name}"] = median_ms(
                    page(filters), repeat, before=forget
                )
                results[f"figures() repeated (cached), {name}"] = median_ms(page(filters), repeat)
        db.commit()
        other = agencies[1].id
    if "reports.national" not in app.view_functions:
        print("  (no /reports/national on this branch: figures measured in-process only)")
        return results
    # The pages are asked outside the app context above: a request inside it would share its
    # ``g`` (and the CSRF token kept there) with every other request.
    national = app.test_client()
    sign_in(national, analyst)
    team = app.test_client()
    sign_in(team, supervisor)
    year_args = "start=2025-01&end=2025-12"  # the filter form's fields
    pages = (
        ("GET /reports/national, the default period (last month)", national, "/reports/national"),
        ("GET /reports/national, a year", national, f"/reports/national?{year_args}"),
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
            assert 'value="2025-01"' in shown and 'value="2025-12"' in shown, url

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


def main() -> None:
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
    args = parser.parse_args()
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
        build = not (args.reuse and skeletons_held(url) == n)
        if build:
            if args.database_url:
                from tests.databases import reset_postgres_schema

                reset_postgres_schema(url)
            else:
                Path(workdir / f"figures-{n}.db").unlink(missing_ok=True)
        migrate.upgrade(url)
        app = create_app(
            Settings.from_env(
                environ={},
                ENV="test",
                DATABASE_URL=url,
                SECRET_KEY="b" * 40,
                KEY_FILE=str(key_file),
                LOGIN_RATE_LIMIT="100000 per minute",
                BASE_URL="http://127.0.0.1",  # the test client's plain-HTTP session cookie
                SMTP_URL="",
                RATELIMIT_STORAGE_URL="memory://",
                PASSWORD_HASH_MEMORY_KIB=1024,
                PASSWORD_HASH_TIME_COST=1,
                PASSWORD_HASH_PARALLELISM=1,
            )
        )
        print(
            f"{'filling' if build else 'reusing'} {n} case skeletons on {backend} ...", flush=True
        )
        table[n] = measure(app, n, build, args.repeat)
        app.extensions["homeward_db"].engine.dispose()
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


if __name__ == "__main__":
    main()
