"""The verifier: re-computes the hash chain in keyset batches and names the first broken event.

Memory stays bounded whatever the size of the log: one batch of rows plus one row of look-ahead.
What it can tell apart, at the first event that does not fit:

- ``changed``: an event's own hash no longer matches its fields, or it was re-hashed so the
  next event no longer links to it, or it differs from a signed checkpoint;
- ``missing``: a sequence number is absent (deleted), or later events were renumbered down;
- ``inserted``: an event sits in the chain that later events skip, or later events were
  renumbered up to make room for it;
- ``reordered``: two neighbouring events carry each other's sequence numbers;
- ``truncated``: the chain ends before a signed checkpoint's sequence number;
- ``checkpoint``: a checkpoint's signature does not hold.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from audit.chain import CHAINED_FIELDS, GENESIS_HASH, event_hash
from audit.checkpoints import (
    Checkpoint,
    create_checkpoint,
    public_key_hex,
    sign,
    signature_holds,
)
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import lock_chain
from core.clock import utcnow
from core.exceptions import HomewardError
from core.security import Actor

BATCH_SIZE = 5000
_COLUMNS = [getattr(AuditEvent, name) for name in (*CHAINED_FIELDS, "hash")]


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain: which event, what kind, in one sentence."""

    seq: int
    kind: str
    message: str


@dataclass
class VerifyReport:
    events_checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    seconds: float = 0.0
    problem: Problem | None = None
    checkpoints_checked: int = 0

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def rate(self) -> float:
        return self.events_checked / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Cursor:
    """Where the walk stands: the last event that fitted and the one before it."""

    seq: int = 0
    hash: str = GENESIS_HASH
    before_hash: str | None = None
    checkpoints: dict[int, list[Checkpoint]] = field(default_factory=dict)


def iter_event_rows(
    session: Session,
    batch_size: int = BATCH_SIZE,
    end_read_transactions: bool = False,
    after: int = 0,
) -> Iterator[Row[Any]]:
    """Every event in sequence order, fetched in keyset batches (``seq > last``).

    With ``end_read_transactions`` each batch is its own short transaction, so a long walk
    never holds SQLite's write lock or an old PostgreSQL snapshot for minutes.
    """
    last = after
    while True:
        rows = session.execute(
            select(*_COLUMNS)
            .where(AuditEvent.seq > last)
            .order_by(AuditEvent.seq)
            .limit(batch_size)
        ).all()
        if end_read_transactions:
            session.rollback()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _with_lookahead(rows: Iterator[Row[Any]]) -> Iterator[tuple[Row[Any], Row[Any] | None]]:
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        yield current, following
        current = following


def _hash_of(row: Row[Any], **replace: Any) -> str:
    values = dict(row._mapping)
    values.update(replace)
    return event_hash(values)


def _original_seq(row: Row[Any]) -> int | None:
    """The sequence number this event was hashed with, when it was moved by one place."""
    for candidate in (row.seq + 1, row.seq - 1):
        if _hash_of(row, seq=candidate) == row.hash:
            return candidate
    return None


def _self_inconsistent(row: Row[Any], following: Row[Any] | None) -> Problem:
    seq = row.seq
    original = _original_seq(row)
    following_original = _original_seq(following) if following is not None else None
    if original == seq + 1 and following is not None and following_original == seq:
        return Problem(seq, "reordered", f"events {seq} and {seq + 1} are in each other's places")
    if original == seq + 1:
        return Problem(seq, "missing", f"event {seq} was removed and later events renumbered")
    if original == seq - 1:
        return Problem(
            seq - 1, "inserted", f"event {seq - 1} was inserted and later events renumbered"
        )
    if following is not None and following_original == following.seq - 1:
        return Problem(seq, "inserted", f"event {seq} was inserted and later events renumbered")
    return Problem(seq, "changed", f"event {seq} was changed: its fields no longer match its hash")


def _classify(row: Row[Any], following: Row[Any] | None, cursor: _Cursor) -> Problem | None:
    """None when ``row`` continues the chain from ``cursor``; else what is wrong."""
    if _hash_of(row) != row.hash:
        return _self_inconsistent(row, following)
    expected = cursor.seq + 1
    if row.seq > expected:
        gap = f"event {expected}" if row.seq == expected + 1 else f"events {expected}-{row.seq - 1}"
        return Problem(expected, "missing", f"{gap} missing: event {row.seq} follows {cursor.seq}")
    if row.prev_hash != cursor.hash:
        if cursor.seq == 0:
            return Problem(row.seq, "changed", f"event {row.seq} does not start from the genesis")
        if cursor.before_hash is not None and row.prev_hash == cursor.before_hash:
            return Problem(
                cursor.seq, "inserted", f"event {cursor.seq} was inserted: event {row.seq} skips it"
            )
        return Problem(
            cursor.seq,
            "changed",
            f"event {cursor.seq} was changed and re-hashed: event {row.seq} links elsewhere",
        )
    for checkpoint in cursor.checkpoints.get(row.seq, []):
        if checkpoint.head_hash != row.hash:
            when = checkpoint.created_at.isoformat(timespec="seconds")
            return Problem(
                row.seq, "changed", f"event {row.seq} differs from the checkpoint signed {when}"
            )
    return None


def stored_checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
    return [Checkpoint.from_row(row) for row in rows]


def _check_signatures(checkpoints: list[Checkpoint], trusted: set[str]) -> Problem | None:
    for checkpoint in checkpoints:
        if not signature_holds(checkpoint, trusted):
            return Problem(
                checkpoint.seq,
                "checkpoint",
                f"the checkpoint at event {checkpoint.seq} has no valid signature by a trusted key",
            )
    return None


def verify_chain(
    session: Session,
    *,
    checkpoints: list[Checkpoint] | None = None,
    trusted_keys: set[str] | None = None,
    batch_size: int = BATCH_SIZE,
    end_read_transactions: bool = False,
    progress: Callable[[int], None] | None = None,
    start: Checkpoint | None = None,
) -> VerifyReport:
    """Walk the whole chain (or, with ``start``, the part after a trusted checkpoint).

    ``checkpoints`` (their signatures checked against ``trusted_keys``) pin the chain: the
    event at each checkpoint's sequence must carry its head hash, and the chain must reach it.
    The report names the first problem, if any.
    """
    started = time.perf_counter()
    report = VerifyReport()
    checkpoints = [*(checkpoints or []), *([start] if start is not None else [])]
    report.problem = _check_signatures(checkpoints, trusted_keys or set())
    cursor = _Cursor()
    for checkpoint in checkpoints:
        cursor.checkpoints.setdefault(checkpoint.seq, []).append(checkpoint)
    if report.problem is None and start is not None:
        report.problem = _anchor(session, start, cursor)
    if report.problem is None:
        rows = iter_event_rows(session, batch_size, end_read_transactions, after=cursor.seq)
        for row, following in _with_lookahead(rows):
            report.problem = _classify(row, following, cursor)
            if report.problem is not None:
                break
            cursor.before_hash, cursor.seq, cursor.hash = cursor.hash, row.seq, row.hash
            report.events_checked += 1
            if progress is not None and report.events_checked % 100_000 == 0:
                progress(report.events_checked)
    report.head_seq, report.head_hash = cursor.seq, cursor.hash
    report.checkpoints_checked = len(checkpoints)
    if report.problem is None:
        report.problem = _check_truncation(cursor.seq, checkpoints)
    report.seconds = time.perf_counter() - started
    return report


def _anchor(session: Session, start: Checkpoint, cursor: _Cursor) -> Problem | None:
    """Begin the walk at a checkpoint, once the event it signed is confirmed unchanged."""
    if start.seq > 0:
        row = session.execute(select(*_COLUMNS).where(AuditEvent.seq == start.seq)).first()
        if row is None:
            return Problem(
                start.seq, "missing", f"event {start.seq}, signed at a checkpoint, is gone"
            )
        if row.hash != start.head_hash or _hash_of(row) != row.hash:
            return Problem(
                start.seq,
                "changed",
                f"event {start.seq} differs from the checkpoint that signed it",
            )
    cursor.seq, cursor.hash = start.seq, start.head_hash
    return None


def _check_truncation(head_seq: int, checkpoints: list[Checkpoint]) -> Problem | None:
    beyond = [c for c in checkpoints if c.seq > head_seq]
    if not beyond:
        return None
    furthest = max(beyond, key=lambda c: c.seq)
    when = furthest.created_at.isoformat(timespec="seconds")
    return Problem(
        head_seq + 1,
        "truncated",
        f"the chain ends at event {head_seq} but the checkpoint signed {when} covers "
        f"{furthest.seq}: events {head_seq + 1}-{furthest.seq} were removed",
    )


class ChainBrokenError(HomewardError):
    """The chain does not verify since the last checkpoint: nothing is signed."""

    def __init__(self, report: VerifyReport, from_seq: int) -> None:
        super().__init__(report.problem.message if report.problem else "chain broken")
        self.report = report
        self.from_seq = from_seq


def newest_own_checkpoint(session: Session, seed: bytes) -> Checkpoint | None:
    """The newest stored checkpoint made with this signing key (None: there is none)."""
    row = session.scalar(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.public_key == public_key_hex(seed))
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    )
    return Checkpoint.from_row(row) if row is not None else None


def verified_checkpoint(
    session: Session,
    seed: bytes,
    actor: Actor | None = None,
    batch_size: int = BATCH_SIZE,
    previous: Checkpoint | None = None,
) -> tuple[Checkpoint, VerifyReport]:
    """Verify the events since the newest checkpoint of this key, then sign the head.

    The cost follows the events appended since that checkpoint, not the length of the chain,
    so it can run every minute (only the very first checkpoint walks the whole chain). The
    walk runs in short read transactions first; the chain is locked only to check the few
    events appended meanwhile and to sign. Raises ChainBrokenError (nothing is signed) when
    an event since the checkpoint, or the event it signed, does not fit.

    ``previous`` is the checkpoint this job wrote last time, kept outside the database: the
    database's own checkpoints can be deleted by whoever rewrites the events, so the walk
    starts at the later of the two, and the event ``previous`` signed must still carry its hash.
    """
    trusted = {public_key_hex(seed)}
    start = newest_own_checkpoint(session, seed)
    if previous is not None and previous.public_key != public_key_hex(seed):
        previous = None  # written with the key before a rotation: the database's rows decide
    if previous is not None:
        problem = _check_signatures([previous], trusted) or _anchor(session, previous, _Cursor())
        if problem is not None:
            raise ChainBrokenError(VerifyReport(problem=problem), previous.seq)
        if start is None or previous.seq > start.seq:
            start = previous
    from_seq = start.seq if start else 0
    report = verify_chain(
        session,
        trusted_keys=trusted,
        start=start,
        batch_size=batch_size,
        end_read_transactions=True,
    )
    if report.problem is not None:
        raise ChainBrokenError(report, from_seq)
    lock_chain(session)
    # An in-memory anchor at the head just verified: signed by the same key, never stored.
    anchor = sign(seed, report.head_seq, report.head_hash, utcnow()) if report.head_seq else None
    rest = verify_chain(session, trusted_keys=trusted, start=anchor, batch_size=batch_size)
    if rest.problem is not None:
        raise ChainBrokenError(rest, from_seq)
    rest.events_checked += report.events_checked
    rest.seconds += report.seconds
    return create_checkpoint(session, seed, actor), rest
