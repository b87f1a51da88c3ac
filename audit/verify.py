"""The verifier: re-computes the hash chain in keyset batches and names the first broken event.

Memory stays bounded whatever the size of the log: one batch of rows plus one row of look-ahead.
What it can tell apart, at the first event that does not fit:

- ``changed``: an event's own hash no longer matches its fields, or it was re-hashed so the
  next event no longer links to it, or it differs from a signed checkpoint;
- ``missing``: a sequence number is absent (deleted), or later events were renumbered down;
- ``inserted``: an event sits in the chain that later events skip, or later events were
  renumbered up to make room for it;
- ``reordered``: two neighbouring events carry each other's sequence numbers;
- ``truncated``: the chain ends before a signed checkpoint's sequence number, or (PostgreSQL)
  before the newest event ``audit_head`` recorded, or at it with another hash;
- ``checkpoint``: a checkpoint's signature does not hold.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from audit.chain import canonical_bytes_of_texts
from audit.checkpoints import (
    Checkpoint,
)
from audit.models import AuditEvent
from audit.retention import retention_anchor
from audit.services import flush_pending
from audit.verify_fast import (
    _dialect,
    _fast_texts,  # noqa: F401 (re-exported for the tests)
    _fast_texts_postgresql,
    _fast_texts_sqlite,
    _raw_batches,
)
from audit.verify_reference import (
    BATCH_SIZE,
    Problem,
    VerifyReport,
    _check_signatures,
    _check_truncation,
    _classify,
    _Cursor,
    _hash_of,
    _with_lookahead,  # noqa: F401 (re-exported)
    check_recorded_head,
    iter_event_rows,  # noqa: F401 (re-exported)
    recorded_head,
    reference_following,
    reference_row,
    stored_checkpoints,  # noqa: F401 (re-exported)
    unreadable_time,
)


def verify_chain(
    session: Session,
    *,
    checkpoints: list[Checkpoint] | None = None,
    trusted_keys: set[str] | None = None,
    batch_size: int = BATCH_SIZE,
    end_read_transactions: bool = False,
    progress: Callable[[int], None] | None = None,
    start: Checkpoint | None = None,
    workers: int = 1,
) -> VerifyReport:
    """Walk the whole chain (or, with ``start``, the part after a trusted checkpoint).

    ``checkpoints`` (their signatures checked against ``trusted_keys``) pin the chain: the
    event at each checkpoint's sequence must carry its head hash, and the chain must reach it.
    The report names the first problem, if any.

    With ``workers`` > 1 contiguous chunks are checked by that many processes
    (:func:`_verify_chunk`), each from the two events before it, so the links across each
    seam are checked too; the first problem in chunk order is the one a single walk names.
    """
    flush_pending(session)  # events this session recorded are part of the chain to check
    started = time.perf_counter()
    recorded = recorded_head(session)  # before the walk: appends meanwhile only move it up
    report = VerifyReport()
    checkpoints = [*(checkpoints or []), *([start] if start is not None else [])]
    report.problem = _check_signatures(checkpoints, trusted_keys or set())
    cursor = _Cursor(checkpoints=_pins(checkpoints))
    # retention removed the first events (through, at least, ``start``): begin at its anchor
    removed = retention_anchor(session, trusted_keys or set())
    if removed is not None and (start is None or start.seq <= removed.seq):
        start, report.removed_through = removed, removed.seq
    if report.problem is None and start is not None:
        report.problem = _anchor(session, start, cursor, gone=report.removed_through > 0)
    if report.problem is None:
        url = _worker_url(session) if workers > 1 else None
        if url is None:
            walked = _walk(session, cursor, None, batch_size, end_read_transactions, progress)
            report.problem, report.events_checked = walked.problem, walked.count
            cursor.seq, cursor.hash = walked.seq, walked.hash
        else:
            _walk_in_parallel(session, url, cursor, report, workers, batch_size, progress)
    report.head_seq, report.head_hash = cursor.seq, cursor.hash
    report.checkpoints_checked = len(checkpoints)
    if report.problem is None:  # the walk must reach every checkpoint and audit_head's head
        report.problem = _check_truncation(cursor.seq, checkpoints) or check_recorded_head(
            cursor.seq, cursor.hash, recorded
        )
    report.seconds = time.perf_counter() - started
    return report


def _pins(checkpoints: list[Checkpoint]) -> dict[int, list[Checkpoint]]:
    """The checkpoints by the seq they pin (the walk's fast path looks each event up)."""
    pins: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        pins.setdefault(checkpoint.seq, []).append(checkpoint)
    return pins


@dataclass(frozen=True)
class _Walked:
    """What a walk (of the whole chain or of one chunk) found: small, so it pickles cheaply."""

    problem: Problem | None
    count: int
    seq: int
    hash: str


def _walk(
    session: Session,
    cursor: _Cursor,
    until: int | None,
    batch_size: int,
    end_read_transactions: bool,
    progress: Callable[[int], None] | None = None,
) -> _Walked:
    """Check every event after ``cursor.seq`` up to ``until`` (None: the end) against ``cursor``.

    The fast path hashes plain tuples; any event whose fast hash does not match, or whose link,
    sequence number or checkpoint does not fit, is re-read through the ORM columns and judged
    by :func:`_classify` (the reference), so the verdict is the reference's, event for event.
    """
    name = _dialect(session)
    limit = until if until is not None else 2**63 - 1
    count = 0
    sha256 = hashlib.sha256
    canonical = canonical_bytes_of_texts
    texts = _fast_texts_postgresql if name == "postgresql" else _fast_texts_sqlite
    pins = cursor.checkpoints
    # the cursor in locals (the inner loop runs once per event): written back on the slow path
    last_seq, last_hash, before_hash = cursor.seq, cursor.hash, cursor.before_hash
    for rows in _raw_batches(session, last_seq, limit, batch_size, end_read_transactions):
        for row in rows:
            seq, stored = row[0], row[15]
            if seq == last_seq and count:  # a second event under the same seq
                return _Walked(_twin(seq), count, last_seq, last_hash)
            fits = seq == last_seq + 1 and row[14] == last_hash and seq not in pins
            if fits:
                try:
                    fits = sha256(canonical(*texts(row))).hexdigest() == stored
                except (ValueError, TypeError):
                    fits = False
            if not fits:
                cursor.seq, cursor.hash, cursor.before_hash = last_seq, last_hash, before_hash
                problem = _judge(session, seq, cursor)
                if problem is not None:
                    return _Walked(problem, count, last_seq, last_hash)
            before_hash, last_seq, last_hash = last_hash, seq, stored
            count += 1
            if progress is not None and count % 100_000 == 0:
                progress(count)
    cursor.seq, cursor.hash, cursor.before_hash = last_seq, last_hash, before_hash
    return _Walked(None, count, last_seq, last_hash)


def _twin(seq: int) -> Problem:
    return Problem(seq, "inserted", f"a second event carries sequence number {seq}")


def _judge(session: Session, seq: int, cursor: _Cursor) -> Problem | None:
    """The reference verdict on one event (and, for its kind, the one after it)."""
    row = reference_row(session, seq)
    if row is None:  # gone between the batch and now: judge as the batch saw it, missing
        return Problem(seq, "missing", f"event {seq} disappeared during the check")
    following = reference_following(session, seq)
    return _classify(row, following, cursor)


def _worker_url(session: Session) -> str | None:
    """The URL a worker process connects with; None when workers cannot share the database."""
    bind = session.get_bind()
    if isinstance(bind, Connection):
        return None  # bound to one connection (its transaction may hold what workers can't see)
    url = bind.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class _Chunk:
    url: str
    low: int  # first sequence number of the chunk
    high: int  # last sequence number of the chunk
    after: int  # the walk's own starting point (genesis or the anchor)
    after_hash: str
    checkpoints: tuple[Checkpoint, ...]
    batch_size: int


def _chunk_cursor(session: Session, chunk: _Chunk) -> _Cursor:
    """The cursor a single walk would hold on reaching ``chunk.low``: the two events before it
    (or the walk's own start), as stored; the chunk before checks those very events."""
    cursor = _Cursor(seq=chunk.after, hash=chunk.after_hash)
    for checkpoint in chunk.checkpoints:
        cursor.checkpoints.setdefault(checkpoint.seq, []).append(checkpoint)
    before = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.seq > chunk.after, AuditEvent.seq < chunk.low)
        .order_by(AuditEvent.seq.desc())
        .limit(2)
    ).all()
    session.rollback()
    if len(before) == 2:
        cursor.before_hash = before[1].hash
    elif len(before) == 1:
        cursor.before_hash = cursor.hash
    if before:
        cursor.seq, cursor.hash = before[0].seq, before[0].hash
    return cursor


def _verify_chunk(chunk: _Chunk) -> _Walked:
    """In a worker process: check the events ``low..high`` and the link into ``low``."""
    engine = create_engine(chunk.url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            cursor = _chunk_cursor(session, chunk)
            return _walk(session, cursor, chunk.high, chunk.batch_size, True)
    finally:
        engine.dispose()


#: Events per chunk handed to a worker: small enough to report progress and stop early,
#: large enough that the two look-back reads per chunk cost nothing.
CHUNK_EVENTS = 250_000


def _chunks(url: str, cursor: _Cursor, head: int, workers: int, batch_size: int) -> list[_Chunk]:
    """``cursor.seq+1 .. head`` in chunks, each with only the checkpoints that pin an event
    inside it (found by bisection)."""
    size = max(1, min(CHUNK_EVENTS, -(-(head - cursor.seq) // workers)))
    pinned = sorted((c for cs in cursor.checkpoints.values() for c in cs), key=lambda c: c.seq)
    seqs = [c.seq for c in pinned]
    chunks = []
    for low in range(cursor.seq + 1, head + 1, size):
        high = min(low + size - 1, head)
        inside = tuple(pinned[bisect_left(seqs, low) : bisect_right(seqs, high)])
        chunks.append(_Chunk(url, low, high, cursor.seq, cursor.hash, inside, batch_size))
    return chunks


def _walk_in_parallel(
    session: Session,
    url: str,
    cursor: _Cursor,
    report: VerifyReport,
    workers: int,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    """Cut ``cursor.seq+1 .. max(seq)`` into chunks, check them in ``workers`` processes in
    order, and take the first problem in sequence order (the one a single walk would name)."""
    head, present = session.execute(
        select(func.max(AuditEvent.seq), func.count()).where(AuditEvent.seq > cursor.seq)
    ).one()
    session.rollback()
    head = head or 0
    if head <= cursor.seq:
        return
    if present != head - cursor.seq:
        # a hole (or a far-off event): chunks by sequence range would be unbounded in number;
        # the single walk names the first hole at once, with the reference's verdict
        walked = _walk(session, cursor, None, batch_size, True, progress)
        report.problem, report.events_checked = walked.problem, walked.count
        cursor.seq, cursor.hash = walked.seq, walked.hash
        return
    chunks = _chunks(url, cursor, head, workers, batch_size)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    # Not a Pool: its terminate() (leaving ``with Pool`` too) can hang on a killed worker
    # holding the task queue's lock; a problem here cancels the chunks not yet started.
    executor = ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context)
    try:
        for walked in executor.map(_verify_chunk, chunks):
            report.events_checked += walked.count
            if walked.count or walked.problem is not None:
                cursor.seq, cursor.hash = walked.seq, walked.hash
            if walked.problem is not None:
                report.problem = walked.problem
                return
            if progress is not None:
                progress(report.events_checked)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _anchor(
    session: Session, start: Checkpoint, cursor: _Cursor, gone: bool = False
) -> Problem | None:
    """Begin the walk at a checkpoint, once the event it signed is confirmed unchanged (or,
    ``gone``, removed by retention: the next event must then link to the signed hash)."""
    if start.seq > 0 and not gone:
        row = reference_row(session, start.seq)
        if row is None:
            return Problem(
                start.seq, "missing", f"event {start.seq}, signed at a checkpoint, is gone"
            )
        unreadable = unreadable_time(row)
        if unreadable is not None:
            return unreadable
        if row.hash != start.head_hash or _hash_of(row) != row.hash:
            return Problem(
                start.seq,
                "changed",
                f"event {start.seq} differs from the checkpoint that signed it",
            )
    cursor.seq, cursor.hash = start.seq, start.head_hash
    return None
