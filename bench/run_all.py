"""``make bench``: every P-figure of issue 18 in one run, then one table of figure, target and
measurement.

    .venv/bin/python bench/run_all.py [--people 10000] [--audit-events 1000000]
        [--database-url URL] [--workdir DIR] [--reuse] [--quick] [--all]
        [--large-database-url URL --large-key-file KEYS]

One PostgreSQL database (``--database-url``, default ``BENCH_DATABASE_URL`` or the local
``homeward_bench``, created when missing and emptied unless ``--reuse``) is filled once by
``bench/generate.py`` with ``--people`` people and ``--audit-events`` audit events; then, one
after the other in the same run, with the anchors side by side:

- P1 ``throughput.py`` on PostgreSQL and on SQLite (its own file of as many people): each page
  a case team opens against the minimal Flask page (``anchor.py``) on the same rows, gunicorn
  with 2 workers, wrk with 8 connections; also the workers' largest RSS;
- P2 ``search_bench.py``: name-search medians on the filled database and, with
  ``--large-database-url`` and ``--large-key-file`` (a larger database filled before by
  ``bench/generate.py``), on that one too, and the growth between them;
- P3 ``verify_bench.py``: ``homeward audit verify`` events/s and peak RSS;
- P5 ``audit_concurrency.py``: 16 clients against 1, and the cost of ``record()``;
- P6 ``pages_bench.py``: the case list, case page, task list and audit log medians and
  registrations/s on the filled database, one after the other in one process; and
  ``registrations_served.py``: registrations/s as gunicorn with 2 workers sustains them for 8
  caseworkers at once (form opened and sent, over HTTP).

Every script prints machine-readable lines (``P1 ... ratio=0.61``); this runner streams each
script's output and then prints the table. ``--all`` also runs the older benchmarks (crypto,
audit record/log page, casework lists and search, the reports' figures). ``--quick`` makes
every run short (a smoke run of the harness, not a measurement).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench"

#: (figure, what, target text, line prefix, key, how the target is met)
ROWS = (
    ("P1", "case list vs minimal page (PG)", ">= 0.5x", "P1 PostgreSQL case_list", "ratio", 0.5),
    ("P1", "case page vs minimal page (PG)", ">= 0.3x", "P1 PostgreSQL case_page", "ratio", 0.3),
    ("P1", "task list vs minimal page (PG)", ">= 0.3x", "P1 PostgreSQL task_list", "ratio", 0.3),
    ("P1", "today vs minimal page (PG)", ">= 0.3x", "P1 PostgreSQL today", "ratio", 0.3),
    ("P1", "account vs minimal page (PG)", ">= 0.3x", "P1 PostgreSQL account", "ratio", 0.3),
    ("P1", "case list vs minimal page (SQLite)", ">= 0.5x", "P1 SQLite case_list", "ratio", 0.5),
    ("P1", "case page vs minimal page (SQLite)", ">= 0.3x", "P1 SQLite case_page", "ratio", 0.3),
    ("P1", "task list vs minimal page (SQLite)", ">= 0.3x", "P1 SQLite task_list", "ratio", 0.3),
    ("P1", "today vs minimal page (SQLite)", ">= 0.3x", "P1 SQLite today", "ratio", 0.3),
    ("P1", "account vs minimal page (SQLite)", ">= 0.3x", "P1 SQLite account", "ratio", 0.3),
    ("P2", "name search median (ms)", "<= 20 ms", "P2", "median_ms", -20),
    ("P2", "name search growth", "<= 1.5x", "P2", "growth", -1.5),
    ("P3", "audit verify events/s", ">= 200,000", "P3", "events_per_s", 200000),
    ("P3", "audit verify peak RSS (MB)", "< 200 MB", "P3", "rss_mb", -200),
    ("P5", "16 clients vs 1 client", ">= 1.7x", "P5", "ratio", 1.7),
    ("P5", "record() cost (ms)", "<= 1 ms", "P5", "record_ms", -1),
    ("P6", "case list median (ms)", "<= 50 ms", "P6", "case_list_ms", -50),
    ("P6", "case page median (ms)", "<= 50 ms", "P6", "case_page_ms", -50),
    ("P6", "task list median (ms)", "<= 50 ms", "P6", "task_list_ms", -50),
    ("P6", "audit log page median (ms)", "<= 50 ms", "P6", "audit_log_ms", -50),
    ("P6", "registrations/s, one client in-process", ">= 50/s", "P6", "registrations_per_s", 50),
    (
        "P6",
        "registrations/s served, 8 clients",
        ">= 50/s",
        "P6served",
        "registrations_per_s",
        50,
    ),
    ("RSS", "gunicorn worker RSS (MB, PG)", "<= 150 MB", "RSS PostgreSQL", "worker_max_mb", -150),
)


def run(script: str, args: list[str], env: dict[str, str], lines: list[str]) -> None:
    """Run one script, streaming its output; keep its machine-readable lines."""
    print(f"\n=== {script} {' '.join(args)} ===", flush=True)
    path = HERE / script
    if not path.exists():
        print(f"(missing: {script})")
        return
    proc = subprocess.Popen(
        [sys.executable, str(path), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if re.match(r"(P\d\w*|RSS) ", line):
            lines.append(line.strip())
        if " INFO homeward." not in line:
            print(line, end="", flush=True)
    if proc.wait() != 0:
        print(f"({script} stopped with status {proc.returncode})", flush=True)


def value(lines: list[str], prefix: str, key: str) -> float | None:
    for line in reversed(lines):
        if line.startswith(prefix + " ") or line == prefix:
            found = re.search(rf"\b{key}=([\d.]+)", line)
            if found:
                return float(found.group(1))
    return None


def table(lines: list[str], people: int, seconds: float) -> None:
    print(
        f"\nIssue 18 figures: {people:,} people, one run of {seconds / 60:.0f} min, "
        f"{os.cpu_count()} cores"
    )
    print("| figure | what | target | measured | met |\n|---|---|---|---|---|")
    for figure, what, target, prefix, key, bound in ROWS:
        found = value(lines, prefix, key)
        if found is None:
            why = " (needs --large-database-url)" if key == "growth" else ""
            print(f"| {figure} | {what} | {target} | not measured{why} | |")
            continue
        met = found >= bound if bound > 0 else found <= -bound
        if key == "ratio":
            shown = f"{found:.3f}x"
        elif key == "growth":
            shown = f"{found:.2f}x"
        elif key.endswith("_per_s") or found >= 1000:
            shown = f"{found:,.0f}"
        else:
            shown = f"{found:.1f}"
        print(f"| {figure} | {what} | {target} | {shown} | {'yes' if met else 'no'} |")


def fresh_database(url: str, keep: bool) -> None:
    """Create the PostgreSQL database of ``url`` (emptied first unless ``keep``)."""
    import psycopg

    base, _, name = _libpq(url).rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and keep:
            return
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def settle(url: str) -> None:
    """``VACUUM ANALYZE`` the database of ``url``, as a database in use is: after a bulk fill,
    autovacuum would otherwise vacuum it (and the first reads set every row's hint bits)
    while the next benchmark measures (a run's P6 case page read 58.7 ms so, 29.7 alone)."""
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _libpq(url: str) -> str:
    """``url`` (SQLAlchemy's ``postgresql+psycopg://``) as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def sibling(url: str, suffix: str) -> str:
    """Another database on the same server: ``<name>_<suffix>``."""
    return f"{url}_{suffix}"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--audit-events", type=int, default=1000000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep a database filled before")
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test")
    parser.add_argument("--all", action="store_true", help="also the older benchmarks")
    parser.add_argument(
        "--large-database-url",
        default=None,
        help="a larger generated database (e.g. 1,000,000 people) for P2's growth",
    )
    parser.add_argument("--large-key-file", default=None, help="that database's key file")
    return parser.parse_args()


def _search(args: argparse.Namespace, url: str, env: dict[str, str], lines: list[str]) -> None:
    """P2 on the filled database; its growth against a larger one filled before (its own
    keys), when one is given."""
    p2 = ["--repeat", "5"] if args.quick else []
    run("search_bench.py", ["--database-url", url, *p2], env, lines)
    small = value(lines, "P2", "median_ms")
    if args.large_database_url and args.large_key_file and small:
        # Vacuumed as a database in use is: freshly filled, its pair lookups read the heap
        # (no visibility map yet) and took 91 ms where they take 13.5 once vacuumed.
        settle(args.large_database_url)
        run(
            "search_bench.py",
            ["--database-url", args.large_database_url, "--baseline-ms", str(small), *p2],
            {"HOMEWARD_KEY_FILE": args.large_key_file},
            lines,
        )


def _audit_and_pages(
    args: argparse.Namespace, url: str, workdir: Path, env: dict[str, str], lines: list[str]
) -> None:
    """P3 on the filled database, P5 on its empty sibling (vacuumed after), then P6."""
    run(
        "verify_bench.py",
        ["--database-url", url, "--workers", f"1,{os.cpu_count() or 1}"],
        env,
        lines,
    )
    run(
        "audit_concurrency.py",
        ["--database-url", sibling(url, "p5"), *(["--seconds", "3"] if args.quick else [])],
        env,
        lines,
    )
    settle(sibling(url, "p5"))  # P5's inserts, vacuumed before P6 measures
    run(
        "pages_bench.py",
        [
            "--database-url",
            url,
            "--reuse",
            "--workdir",
            str(workdir),
            *(["--repeat", "5", "--registrations", "20"] if args.quick else []),
        ],
        env,
        lines,
    )
    run(
        "registrations_served.py",
        [
            "--database-url",
            url,
            "--key-file",
            env["HOMEWARD_KEY_FILE"],
            *(["--duration", "3"] if args.quick else []),
        ],
        env,
        lines,
    )


def main() -> None:
    args = _arguments()
    if args.quick:
        args.people, args.audit_events = min(args.people, 300), min(args.audit_events, 20000)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="homeward-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url, keys = args.database_url, str(workdir / "keys.json")
    env = {"HOMEWARD_KEY_FILE": keys}
    started, lines = time.perf_counter(), []
    fresh_database(url, args.reuse)
    if not args.reuse:
        fill = ["--people", str(args.people), "--audit-events", str(args.audit_events)]
        run("generate.py", [*fill, "--database-url", url], env, lines)
    settle(url)
    short = ["--duration", "3"] if args.quick else []
    run(
        "throughput.py",
        ["--database-url", url, "--workdir", str(workdir), "--reuse", *short],
        env,
        lines,
    )
    run(
        "throughput.py",
        ["--people", str(args.people), "--workdir", str(workdir / "sqlite"), *short],
        env,
        lines,
    )
    fresh_database(sibling(url, "p5"), keep=False)
    _search(args, url, env, lines)
    _audit_and_pages(args, url, workdir, env, lines)
    if args.all:
        for script in (
            "crypto_bench.py",
            "audit_bench.py",
            "casework_bench.py",
            "reports_bench.py",
        ):
            run(script, [], env, lines)
    table(lines, args.people, time.perf_counter() - started)


if __name__ == "__main__":
    main()
