"""The verifier's reference: reading the chain in keyset batches through the ORM and classifying
the first event that does not fit (:mod:`audit.verify` uses it for every event off its fast
path, so every verdict is this one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from audit.chain import CHAINED_FIELDS, GENESIS_HASH, event_hash
from audit.checkpoints import (
    Checkpoint,
    signature_holds,
)
from audit.models import AuditCheckpoint, AuditEvent

BATCH_SIZE = 10_000
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
    #: Events up to this sequence number were removed by retention (0: none): the walk began
    #: at the signed checkpoint of that event.
    removed_through: int = 0
    #: Seqs of stored checkpoints under the signing key whose signature does not hold, newer
    #: than the one the checkpoint job started from: forged rows it skipped (tampering).
    forged_checkpoints: list[int] = field(default_factory=list)

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


#: The times a ``datetime`` holds (years 1-9999 in UTC); PostgreSQL's go from before year 1
#: to past 294,000 and ``infinity``.
_DATETIME_RANGE: tuple[ColumnElement[Any], ColumnElement[Any]] = (
    literal_column("TIMESTAMPTZ '0001-01-01 00:00:00+00'"),
    literal_column("TIMESTAMPTZ '10000-01-01 00:00:00+00'"),
)


def _reference_columns(session: Session) -> list[Any]:
    """The reference's columns. On PostgreSQL ``occurred_at`` is read as UTC without a zone
    (psycopg then loads any time of years 1-9999, whatever the session's time zone), and is
    NULL (the column never is) for a time no ``datetime`` holds (``infinity``, a year past
    9999): the app never writes one and the canonical form cannot hold it. ``occurred_text``
    gives it as PostgreSQL writes it, for the report (:func:`unreadable_time`)."""
    if session.get_bind().dialect.name != "postgresql":
        return _COLUMNS
    at = AuditEvent.occurred_at
    in_utc = type_coerce(func.timezone("UTC", at), at.type)
    low, high = _DATETIME_RANGE
    readable = case((and_(at >= low, at < high), in_utc)).label("occurred_at")
    columns = [readable if column.key == "occurred_at" else column for column in _COLUMNS]
    return [*columns, cast(at, Text).label("occurred_text")]


def iter_event_rows(
    session: Session,
    batch_size: int = BATCH_SIZE,
    end_read_transactions: bool = False,
    after: int = 0,
) -> Iterator[Row[Any]]:
    """Every event in sequence order, fetched in keyset batches on ``(seq, occurred_at)``, so a
    second event under the same ``seq`` (PostgreSQL's key includes the time) is read too.

    With ``end_read_transactions`` each batch is its own short transaction, so a long walk
    never holds SQLite's write lock or an old PostgreSQL snapshot for minutes.
    """
    key = tuple_(AuditEvent.seq, AuditEvent.occurred_at)
    # SQLite's key is ``seq`` alone, and its stored time text may not be the form a bound
    # datetime takes: compare ``seq`` only there. PostgreSQL's takes the time as its text,
    # which also holds the times read as NULL (:func:`_reference_columns`)
    twins = session.get_bind().dialect.name == "postgresql"
    columns = _reference_columns(session)
    where: ColumnElement[bool] = AuditEvent.seq > after
    while True:
        rows = session.execute(
            select(*columns)
            .where(where)
            .order_by(AuditEvent.seq, AuditEvent.occurred_at)
            .limit(batch_size)
        ).all()
        if end_read_transactions:
            session.rollback()
        if not rows:
            return
        yield from rows
        if twins:
            at = cast(literal(rows[-1].occurred_text, Text), DateTime(timezone=True))
            where = key > tuple_(literal(rows[-1].seq), at)
        else:
            where = AuditEvent.seq > rows[-1].seq


def _with_lookahead(rows: Iterator[Row[Any]]) -> Iterator[tuple[Row[Any], Row[Any] | None]]:
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        yield current, following
        current = following


def reference_row(session: Session, seq: int) -> Row[Any] | None:
    return session.execute(
        select(*_reference_columns(session)).where(AuditEvent.seq == seq)
    ).first()


def reference_following(session: Session, seq: int) -> Row[Any] | None:
    return session.execute(
        select(*_reference_columns(session))
        .where(AuditEvent.seq > seq)
        .order_by(AuditEvent.seq)
        .limit(1)
    ).first()


def unreadable_time(row: Row[Any]) -> Problem | None:
    """An event whose time PostgreSQL holds but no event is written with (``infinity``, or
    out of years 1-9999; :func:`reference_row` reads it as NULL): a break at that event,
    whatever its hash says."""
    if row.occurred_at is not None:
        return None
    return Problem(
        row.seq,
        "changed",
        f"event {row.seq} is dated {row.occurred_text}, a time no event is written with",
    )


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
    unreadable = unreadable_time(row)
    if unreadable is not None:
        return unreadable
    if _hash_of(row) != row.hash:
        return _self_inconsistent(row, following)
    expected = cursor.seq + 1
    if row.seq < expected:
        return Problem(row.seq, "inserted", f"a second event carries sequence number {row.seq}")
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
    """The first checkpoint without a valid signature, and how many more there are: a row
    the app role forged is tampering to report, whatever the checkpoint job skips."""
    bad = [c for c in checkpoints if not signature_holds(c, trusted)]
    if not bad:
        return None
    more = f" (and {len(bad) - 1} more checkpoint(s) without one)" if len(bad) > 1 else ""
    return Problem(
        bad[0].seq,
        "checkpoint",
        f"the checkpoint at event {bad[0].seq} has no valid signature by a trusted key{more}",
    )


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


def recorded_head(session: Session) -> tuple[int, str] | None:
    """The newest event's (seq, hash) as ``audit_head`` recorded it on PostgreSQL (None on
    SQLite, before the partitions migration, or before any append since it).

    The head only ever moves up and no role but the owner may change it, so a walk ending
    before it (or at it with another hash) means the newest events were dropped or deleted,
    which no checkpoint covers yet. Read it before the walk: appends during the walk move it
    forward, never back, so the walk must reach at least what was read."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    if connection.scalar(text("SELECT to_regprocedure('homeward_audit_head()')::text")) is None:
        return None
    head = connection.execute(text("SELECT seq, hash FROM homeward_audit_head()")).first()
    if head is None or head.seq is None:
        return None
    return int(head.seq), str(head.hash)


def check_recorded_head(
    head_seq: int, head_hash: str, recorded: tuple[int, str] | None
) -> Problem | None:
    """``truncated`` when the walk ended before the head ``audit_head`` named (or at its seq
    with another hash): the newest events were removed after the last checkpoint."""
    if recorded is None or head_seq > recorded[0]:
        return None
    seq, expected = recorded
    if head_seq < seq:
        return Problem(
            head_seq + 1,
            "truncated",
            f"the chain ends at event {head_seq} but audit_head records event {seq}: "
            f"events {head_seq + 1}-{seq} were removed",
        )
    if head_hash != expected:
        return Problem(
            seq,
            "truncated",
            f"event {seq} does not carry the hash audit_head records ({expected[:16]}…): "
            "the newest events were removed and replaced, or rewritten",
        )
    return None
