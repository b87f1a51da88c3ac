"""The scans of a figures page read side by side, in one snapshot (:mod:`reports.indicators`).

A first (uncached) page at 100,000 people spends most of its time in seven scans of the
skeleton tables (:data:`READINGS`: the registered people's tally in two parts, the codes,
the scores, the plan actions, the referrals and the closures), each independent of the
others. On PostgreSQL :func:`in_one_snapshot` reads them at once, each on its own connection
(:data:`WORKERS` threads), and then computes every section from what they read on one more
connection, so a page waits about as long as its longest scan rather than their sum.

**One snapshot.** Tables that share numbers must agree (small-cell protection hides the same
cells in each: :mod:`reports.indicators.publishing`); readings taken at different moments
could differ by a case registered in between. So the request's session exports its snapshot
(``pg_export_snapshot()``, on a streaming standby too) and every connection imports it
(``SET TRANSACTION SNAPSHOT``, ``REPEATABLE READ``, ``READ ONLY``): all of them, and every
remaining query of the sections, see exactly the same rows.

**When not.** On SQLite (one writer, in-process: nothing to gain), inside a savepoint, and
when the request's session has written in its transaction (its own changes are not in an
exported snapshot), the sections are computed one after the other on the request's
session, as before; the figures are the same either way (``tests/reports/test_prefetch.py``
compares them; the indicator tests run in savepoints, so one after the other).
"""

from __future__ import annotations

import dataclasses
import queue
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from reports.indicators.common import Context
from reports.indicators.monitoring import _actions_by_dimension
from reports.indicators.scores import _tallies
from reports.tables import Section

#: The independent scans, longest first (every organisation all time at 100,000 skeletons, one
#: at a time on a 2-core machine: the tally's two parts ~150 ms each, referrals ~120, scores
#: ~95, codes ~80, actions ~45, closures ~20): (the name the context keeps it under, the
#: reading). Each thread takes the next one left when it is done, so the longest start first
#: and the short ones fill in; the tally is read in two parts so that no one scan holds the
#: page for a third of the database's work.
READINGS: tuple[tuple[str, Callable[[Context], Any]], ...] = (
    ("tally_durations", lambda ctx: ctx.tally_durations),
    ("tally_profile", lambda ctx: ctx.tally_profile),
    ("referral_tally", lambda ctx: ctx.referral_tally),
    ("_score_tallies", _tallies),
    ("code_counts", lambda ctx: ctx.code_counts),
    ("_actions_by_dimension", _actions_by_dimension),
    ("closed_by_reason", lambda ctx: ctx.closed_by_reason),
)
#: Connections a page reads on at once (besides the request's own and the one the sections
#: are computed on).
WORKERS = 3
#: One page at a time in a process reads side by side (it takes 1 + :data:`WORKERS` more
#: connections of the engine's pool of 5 + 10): pages that each held some connections and
#: waited for more would wait on one another (threaded servers); a page that finds the slot
#: taken is computed one query after another instead.
_SLOT = threading.BoundedSemaphore(1)
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def in_one_snapshot(
    ctx: Context, sections: Sequence[Callable[[Context], Section]]
) -> tuple[Section, ...] | None:
    """Every section of ``sections`` computed with :data:`READINGS` read side by side, all in
    the snapshot of ``ctx.db``; None where that cannot be done (SQLite, or a session that has
    written), for the caller to compute them one after the other."""
    if not _SLOT.acquire(blocking=False):
        return None
    try:
        snapshot = _exported(ctx.db)
        if snapshot is None:
            return None
        return _read_side_by_side(ctx, sections, snapshot)
    finally:
        _SLOT.release()


def _read_side_by_side(
    ctx: Context, sections: Sequence[Callable[[Context], Section]], snapshot: str
) -> tuple[Section, ...]:
    bind = ctx.db.get_bind().engine
    connections: list[Connection] = []

    def session() -> Session:
        connection = bind.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        connections.append(connection)
        found = Session(bind=connection, autoflush=False)
        found.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
        # The page already reads on several connections at once: parallel workers of each
        # scan on top would only take turns on the same cores (measured: slower, and more
        # variable, at 100,000 skeletons on 2 cores).
        found.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        return found

    try:
        main = dataclasses.replace(ctx, db=session())
        # Every connection imports the snapshot here, before any thread starts, while the
        # exporting transaction is certainly still open.
        readers = [session() for _worker in range(WORKERS)]
        left: queue.SimpleQueue[tuple[str, Callable[[Context], Any]]] = queue.SimpleQueue()
        for item in READINGS:
            left.put(item)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [pool.submit(_in_turn, ctx, left, db) for db in readers]
            for future in futures:
                main.__dict__.update(future.result())
        return tuple(section(main) for section in sections)
    finally:
        for connection in connections:
            connection.close()  # rolls the read-only transaction back, back to the pool


def _in_turn(
    ctx: Context, left: queue.SimpleQueue[tuple[str, Callable[[Context], Any]]], db: Session
) -> dict[str, Any]:
    """Readings taken from ``left`` one after the other on this thread's own connection,
    until none is left: ``{name: value}``."""
    own = dataclasses.replace(ctx, db=db)
    found: dict[str, Any] = {}
    while True:
        try:
            name, reading = left.get_nowait()
        except queue.Empty:
            return found
        found[name] = reading(own)


def _exported(db: Session) -> str | None:
    """The id of ``db``'s snapshot for other connections to import, or None (not PostgreSQL,
    or the session has changes of its own that an exported snapshot would not show)."""
    if db.get_bind().dialect.name != "postgresql":
        return None
    if db.in_nested_transaction() or db.connection().in_nested_transaction():
        return None  # (PostgreSQL exports no snapshot from inside a savepoint)
    if db.new or db.dirty or db.deleted:
        return None
    clean, snapshot = db.execute(
        text("SELECT pg_current_xact_id_if_assigned() IS NULL, pg_export_snapshot()")
    ).one()
    if not clean or not _SNAPSHOT_ID.fullmatch(str(snapshot)):
        return None
    return str(snapshot)
