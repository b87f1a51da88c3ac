"""How long ``homeward audit checkpoint`` takes on a long chain (it should suit a per-minute cron).

    .venv/bin/python bench/checkpoint_bench.py --events 200000
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/DB \\
        .venv/bin/python bench/checkpoint_bench.py --backend postgresql

Builds a valid chain of ``--events`` events, then times the command: the first checkpoint,
then ``--rounds`` more with ``--new`` events appended before each (a minute of traffic).
The PostgreSQL database named in BENCH_DATABASE_URL is dropped and re-created. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit.models import AuditEvent
from audit.services import record
from bench.audit_bench import fresh_database, load_chain, make_bench_app
from core.db import Database


def _append(app: object, count: int) -> None:
    database: Database = app.extensions["homeward_db"]  # type: ignore[attr-defined]
    with app.test_request_context("/"), database.session_scope() as session:  # type: ignore[attr-defined]
        for i in range(count):
            record(session, "case.viewed", object_type="case", details={"i": i})


def _checkpoint_seconds(app: object) -> float:
    runner = app.test_cli_runner()  # type: ignore[attr-defined]
    started = time.perf_counter()
    result = runner.invoke(args=["audit", "checkpoint", "--output", "/dev/null"])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = fresh_database(args.backend, workdir)
        app = make_bench_app(url, workdir)
        loaded = load_chain(app, args.events)
        print(f"{args.backend}: {args.events:,} events loaded in {loaded:.1f} s")
        first = _checkpoint_seconds(app)
        print(f"first checkpoint: {first:.3f} s")
        later = []
        for _ in range(args.rounds):
            _append(app, args.new)
            later.append(_checkpoint_seconds(app))
        database: Database = app.extensions["homeward_db"]
        with database.session_scope() as session:
            head = session.scalar(select(func.max(AuditEvent.seq)))
        print(
            f"next {args.rounds} checkpoints (+{args.new} events each, head {head:,}): "
            f"median {statistics.median(later):.3f} s, max {max(later):.3f} s"
        )


if __name__ == "__main__":
    main()
