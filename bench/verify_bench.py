"""`homeward audit verify` throughput and peak memory (issue 18, P3: >= 200,000 events/s, memory
bounded), on a database filled by ``bench/generate.py``:

    .venv/bin/python bench/verify_bench.py --database-url URL [--workers 1,2] [--reference]

Each configuration runs in a fresh process, so its peak RSS (``ru_maxrss``) is its own: the
verifying process and, separately, the largest worker process. ``--reference`` also times the
walk as it was before (ORM rows, one dict per event, the general serialiser), for comparison.
Prints one line per configuration: events, seconds, events/s, peak RSS in MB at the end and
after the first 100,000 events (in-process walk; equal figures: memory does not grow with the
count), and the largest worker's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from audit.verify import (
    BATCH_SIZE,
    _classify,
    _Cursor,
    _with_lookahead,
    iter_event_rows,
    stored_checkpoints,
    verify_chain,
)
from core.db import normalise_url


def _reference_walk(session: Session, batch_size: int) -> tuple[int, bool]:
    """The walk before issue 18: every row through the ORM columns and the general path."""
    cursor = _Cursor()
    count = 0
    rows = iter_event_rows(session, batch_size, end_read_transactions=True)
    for row, following in _with_lookahead(rows):
        if _classify(row, following, cursor) is not None:
            return count, False
        cursor.before_hash, cursor.seq, cursor.hash = cursor.hash, row.seq, row.hash
        count += 1
    return count, True


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_one(url: str, workers: int, batch_size: int, reference: bool) -> dict[str, Any]:
    """One configuration; also the peak RSS after the first 100,000 events (when the walk's
    memory is all allocated) to compare with the peak at the end: equal means flat."""
    early: list[float] = []

    def sample(checked: int) -> None:
        if not early:
            early.append(_peak_mb())

    engine = create_engine(url)
    with Session(engine) as session:
        checkpoints = stored_checkpoints(session)
        session.rollback()
        started = time.perf_counter()
        if reference:
            count, intact = _reference_walk(session, batch_size)
        else:
            # Throughput only: the command trusts just the configured key; here every stored
            # checkpoint's own key, so the same signatures and pins are checked.
            report = verify_chain(
                session,
                checkpoints=checkpoints,
                trusted_keys={c.public_key for c in checkpoints},
                batch_size=batch_size,
                end_read_transactions=True,
                workers=workers,
                progress=sample,
            )
            count, intact = report.events_checked, report.intact
        seconds = time.perf_counter() - started
    engine.dispose()
    own = _peak_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "mode": "reference (before)" if reference else f"workers={workers}",
        "events": count,
        "intact": intact,
        "seconds": seconds,
        "rate": count / seconds if seconds else 0.0,
        "rss_mb": own,
        "rss_early_mb": early[0] if early else 0.0,
        "worker_rss_mb": children,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--reference", action="store_true", help="also time the old walk")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--one-reference", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = normalise_url(args.database_url)
    if args.one is not None or args.one_reference:
        result = run_one(url, args.one or 1, args.batch_size, args.one_reference)
        print(json.dumps(result))
        return
    configurations = [["--one", w] for w in dict.fromkeys(args.workers.split(","))]
    if args.reference:
        configurations.insert(0, ["--one-reference"])
    header = ("mode", "events", "seconds", "events/s", "RSS MB", "@100k", "worker")
    print("{:<20} {:>12} {:>8} {:>10} {:>7} {:>7} {:>7}".format(*header))
    best_rate, peak_rss = 0.0, 0.0
    for extra in configurations:
        command = [sys.executable, __file__, "--database-url", args.database_url]
        command += ["--batch-size", str(args.batch_size), *extra]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        flag = "" if r["intact"] else "  (chain BROKEN)"
        print(
            f"{r['mode']:<20} {r['events']:>12,} {r['seconds']:>8.1f} {r['rate']:>10,.0f} "
            f"{r['rss_mb']:>7.0f} {r['rss_early_mb']:>7.0f} {r['worker_rss_mb']:>7.0f}{flag}",
            flush=True,
        )
        if r["mode"].startswith("workers") and r["intact"]:
            best_rate = max(best_rate, r["rate"])
            peak_rss = max(peak_rss, r["rss_mb"], r["worker_rss_mb"])
    print(f"P3 events_per_s={best_rate:.0f} rss_mb={peak_rss:.0f}")


if __name__ == "__main__":
    main()
