"""Audit retention on PostgreSQL: whole monthly partitions older than the retention period go.

``homeward audit retention run`` (as the owner role) drops the partitions of the months that
ended before now minus ``HOMEWARD_AUDIT_RETENTION_YEARS`` (at least one year), oldest first;
"now" is the database's clock, and the run refuses when the application's is more than a day
away from it, and never drops past the newest event's time minus the period. The app and
the database usually share one host clock, so neither bound holds when that clock runs
fast; a bound that no clock sets comes on top (:func:`months_with_events`): a month goes
only once at least ``years * 12`` later calendar months hold events, which takes that many
real months of use whatever the clock says (a quiet or young system keeps more). And only
while what is dropped is exactly the start of the chain: events ``first .. N`` with no
event of a kept month among them (``occurred_at`` may run a little out of step with ``seq``
at a month's edge) and none newer than the newest signed checkpoint. Never the default
partition. Rows are never deleted: the append-only triggers forbid it.

The chain stays verifiable: before the drop, event ``N``'s ``(seq, hash)`` is signed as a
retention anchor, a signature of its own kind (the message starts
``homeward-retention-anchor/2|``, not the checkpoints' ``homeward-audit-checkpoint/1|``, so
neither ever holds as the other), always fresh, together with the chain's newest event when
it drops (``H``, its seq and hash): the message is
``homeward-retention-anchor/2|<H>|<hash of H>|<N>|<hash of N>|<time>``. The anchor (those,
signature, key) is kept in the details of the ``audit.retention_applied`` event that records
the drop, which is event ``H + 1``, linked to ``H``: in the chain itself, no table or column
for it, on either database. The verifier (:func:`retention_anchor`) starts after the anchor
only when the chain's first event is ``N + 1``, a trusted key signed that anchor at exactly
``N``, and the event holding it is ``H + 1`` with ``H``'s signed hash as its ``prev_hash`` (the
walk then checks that link): deleting events from the start of the chain, even up to an
ordinary signed checkpoint and with a forged retention event, is still reported as
``missing`` (forging an anchor needs the signing key), and so is an anchor signed on a copy
of the database with the same key (a drill, staging), whose chain went on differently after
the copy was taken. A copy whose chain repeated this one's events up to ``H`` exactly would
pass: give copies their own signing key (docs/deployment.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import takewhile
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from audit import actions
from audit.checkpoints import ANCHOR_FORMAT, TIME_FORMAT, Checkpoint, sign, signature_holds
from audit.models import AuditEvent
from audit.partitions import PARTITION_NAME, Partition, monthly_partitions
from audit.services import flush_pending, lock_chain, record
from core.clock import utcnow
from core.exceptions import HomewardError
from core.security import Actor


@dataclass(frozen=True)
class Month:
    """One partition past the cutoff and what it holds."""

    partition: Partition
    events: int
    first_seq: int | None
    last_seq: int | None
    #: How many later calendar months hold events (:func:`months_with_events`).
    later_months: int = 0


@dataclass
class Plan:
    """The partitions to drop and the last event they take with them (0: none)."""

    cutoff: datetime
    drop: list[Month] = field(default_factory=list)
    through_seq: int = 0
    #: Old partitions kept although past the cutoff (the chain would not start cleanly).
    held_back: list[Month] = field(default_factory=list)
    #: Later months with events a month needs before it may go (``years * 12``).
    months_needed: int = 0
    #: Old partitions kept because too few later months hold events (whatever the clock says).
    too_recent: list[Month] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(m.events for m in self.drop)


def cutoff_for(now: datetime, years: int) -> datetime:
    """``now`` minus ``years`` (29 February becomes the 28th); refuses fewer than one year."""
    if years < 1:
        raise ValueError("audit retention must be at least one year")
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def _checked(partition: Partition) -> str:
    """The partition's table name, refused unless it is a monthly partition's (it goes into SQL)."""
    if not PARTITION_NAME.fullmatch(partition.name):
        raise ValueError("not a monthly audit partition")
    return partition.name


def _month(session: Session, partition: Partition, filled: set[date]) -> Month:
    low, high, count = session.execute(
        text(f'SELECT min(seq), max(seq), count(*) FROM "{_checked(partition)}"')  # noqa: S608 (a checked name)
    ).one()
    later = sum(1 for month in filled if month > partition.month)
    return Month(partition, count, low, high, later)


def months_with_events(session: Session, partitions: list[Partition]) -> set[date]:
    """The calendar months (their first days) that hold at least one event: every monthly
    partition that is not empty, and the months of the events in the default partition.

    Retention's bound that no clock sets: a month goes only when ``years * 12`` later months
    are in this set. A clock running fast dates new events in a month or two ahead, never in
    ten years of months; the app role cannot date an event more than a day off. Times the
    database cannot give as a date (infinite, before year 1, after 9999) are not counted."""
    filled = {
        p.month
        for p in partitions
        if session.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{_checked(p)}")'))  # noqa: S608
    }
    filled.update(
        session.scalars(
            text(
                "SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date "
                "FROM audit_event_default WHERE occurred_at >= '0001-01-01 00:00:00+00' "
                "AND occurred_at < '10000-01-01 00:00:00+00'"
            )
        )
    )
    return filled


#: How far the application's clock may be from the database's before retention refuses.
CLOCK_SKEW = timedelta(days=1)


class ClockSkewError(HomewardError):
    """The application's and the database's clocks differ by more than :data:`CLOCK_SKEW`."""


class RetentionRaceError(HomewardError):
    """The retention event was not appended right after the event its anchor signed: the
    run rolls back (nothing dropped) rather than leave an anchor no verifier accepts."""


def database_now(session: Session) -> datetime:
    """The database's clock (retention's cutoff is taken from it), refusing to go on when the
    application's clock is more than :data:`CLOCK_SKEW` away: one of them is wrong."""
    now = session.scalar(select(func.now()))
    assert now is not None
    if abs(utcnow() - now) > CLOCK_SKEW:
        raise ClockSkewError("the application's and the database's clocks differ by over a day")
    return now


def head_seq(session: Session) -> int:
    """The newest event's seq (0: none): what a run would sign before it drops."""
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


def plan(session: Session, years: int, now: datetime, signed: int) -> Plan:
    """What a run would drop: the longest run of old months, oldest first, that holds exactly
    the chain's first events and nothing past ``signed`` (the seq the run's verified checkpoint
    just signed; for a dry run, the head). ``now`` is the database's clock; the cutoff is never
    later than the newest event's time minus the retention period either, and a month past
    it goes only once ``years * 12`` later months hold events (:func:`months_with_events`)."""
    result = Plan(cutoff_for(now, years), months_needed=years * 12)
    newest = session.scalar(
        select(func.max(AuditEvent.occurred_at)).where(
            AuditEvent.occurred_at >= text("'0001-01-01 00:00:00+00'"),
            AuditEvent.occurred_at < text("'10000-01-01 00:00:00+00'"),
        )
    )  # (times no datetime holds are left out, as :func:`months_with_events` leaves them)
    if newest is not None:
        result.cutoff = min(result.cutoff, cutoff_for(newest, years))
    partitions = monthly_partitions(session)
    filled = months_with_events(session, partitions)
    old = [_month(session, p, filled) for p in partitions if p.ends <= result.cutoff]
    # fewer later months with events the newer the month: those kept are the newest old ones
    proven = list(takewhile(lambda m: m.later_months >= result.months_needed, old))
    old, result.too_recent = proven, old[len(proven) :]
    first = session.scalar(select(func.min(AuditEvent.seq))) or 0
    events, last, best = 0, 0, 0
    for index, month in enumerate(old):
        events += month.events
        last = max(last, month.last_seq or 0)
        if events == 0 or (events == last - first + 1 and last <= signed):
            best, result.through_seq = index + 1, (last if events else result.through_seq)
    result.drop, result.held_back = old[:best], old[best:]
    if result.through_seq == 0 and first > 1:
        result.through_seq = first - 1  # only empty months go: the chain starts where it did
    return result


def run(session: Session, seed: bytes, years: int, signed: int, actor: Actor | None = None) -> Plan:
    """Drop the partitions :func:`plan` names, signing the anchor first; the caller commits.
    ``signed``: the seq of the checkpoint the caller just verified and signed (never the
    table's newest row, which nobody checked). Raises ClockSkewError (nothing dropped).

    Holds the chain's lock from the plan to the commit, so no event is appended meanwhile."""
    lock_chain(session)
    result = plan(session, years, database_now(session), signed)
    if not result.drop:
        return result
    details: dict[str, Any] = {
        "months": [m.partition.month.strftime("%Y-%m") for m in result.drop],
        "events": [m.events for m in result.drop],
        "through_seq": result.through_seq,
        "retention_years": years,
    }
    # The last event to go, read while its partition is still there.
    last_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == result.through_seq))
    # a drop locks audit_event itself: never queue every append behind a long reader
    session.execute(text("SET LOCAL lock_timeout = '5s'"))
    for month in result.drop:
        session.execute(text(f'DROP TABLE "{month.partition.name}"'))
    # Signed only now: a drop holds audit_event's ACCESS EXCLUSIVE lock until the commit, so
    # the newest event read here (an insert in flight when the plan was made, which the
    # chain's lock does not stop, has committed before the drop got its lock) is still the
    # newest when the retention event is appended right after it (review 4).
    anchor = None
    if result.events:  # only empty months: an earlier run's anchor still covers the start
        assert last_hash is not None  # the plan found it in a partition under the chain's lock
        anchor = _sign_anchor(session, seed, result.through_seq, last_hash)
        details["anchor"] = anchor.details()
    event = record(
        session,
        actions.AUDIT_RETENTION_APPLIED,
        actor=actor,
        object_type="audit_chain",
        details=details,
    )
    flush_pending(session)
    if anchor is not None and not anchor.follows(event.seq, event.prev_hash):
        raise RetentionRaceError("the retention event would not follow its anchor")
    return result


def _anchor_kind(newest_seq: int, newest_hash: str) -> str:
    """What an anchor's signed message starts with: the anchor's own prefix, then the chain's
    newest event, so the signature holds only beside that event (not in a copy's chain)."""
    return f"{ANCHOR_FORMAT}|{newest_seq}|{newest_hash}"


@dataclass(frozen=True)
class Anchor:
    """A retention anchor: the last event dropped, signed (``checkpoint``), and the chain's
    newest event when the run dropped, signed with it (the retention event follows it)."""

    checkpoint: Checkpoint
    newest_seq: int
    newest_hash: str

    @property
    def kind(self) -> str:
        return _anchor_kind(self.newest_seq, self.newest_hash)

    def follows(self, seq: int, prev_hash: str) -> bool:
        """True when the event ``(seq, prev_hash)`` holding the anchor is the one the run
        recorded: right after the newest event it signed, linked to it."""
        newest = self.newest_seq
        return newest >= self.checkpoint.seq and seq == newest + 1 and prev_hash == self.newest_hash

    def details(self) -> dict[str, Any]:
        """The anchor as audit details take it (texts of at most 80 characters: the 128 hex
        digits of the signature in two halves)."""
        anchor = self.checkpoint
        return {
            "seq": anchor.seq,
            "head_hash": anchor.head_hash,
            "newest_seq": self.newest_seq,
            "newest_hash": self.newest_hash,
            "created_at": anchor.created_at.astimezone(UTC).strftime(TIME_FORMAT),
            "signature": [anchor.signature[:64], anchor.signature[64:]],
            "public_key": anchor.public_key,
        }


def _sign_anchor(session: Session, seed: bytes, seq: int, head_hash: str) -> Anchor:
    """A fresh anchor over event ``seq`` (the last to go, whose hash was ``head_hash``) and the
    chain's newest event, which the retention event will follow (the caller holds the chain's
    lock and the table's, after the drop): never an ordinary checkpoint."""
    newest = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).one()
    signed = sign(seed, seq, head_hash, utcnow(), _anchor_kind(newest.seq, newest.hash))
    return Anchor(signed, newest.seq, newest.hash)


def _anchor_of(details: str | None) -> Anchor | None:
    """The anchor a retention event's details hold (None: none, or malformed)."""
    try:
        data = json.loads(details or "{}")["anchor"]
        checkpoint = Checkpoint(
            seq=int(data["seq"]),
            head_hash=str(data["head_hash"]),
            created_at=datetime.strptime(data["created_at"], TIME_FORMAT).replace(tzinfo=UTC),
            signature="".join(str(half) for half in data["signature"]),
            public_key=str(data["public_key"]),
        )
        return Anchor(checkpoint, int(data["newest_seq"]), str(data["newest_hash"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def retention_anchor(session: Session, trusted_keys: set[str]) -> Checkpoint | None:
    """The signed anchor the chain starts after, when retention removed its first events.

    Only when the first event is ``N + 1`` and an ``audit.retention_applied`` event (in the
    chain the verifier then checks) holds an anchor at exactly ``N`` signed by a trusted key
    as an anchor (:data:`ANCHOR_FORMAT`) and is itself the event right after the newest one
    the anchor signed, linked to its hash (:meth:`Anchor.follows`; the walk checks the link):
    an ordinary checkpoint never serves, so a forged retention event excuses nothing, nor
    does an anchor signed on a copy whose chain went on differently. None otherwise: the walk
    starts at genesis and reports the first events as missing."""
    first = session.scalar(select(func.min(AuditEvent.seq)))
    if first is None or first <= 1:
        return None
    recorded = session.execute(
        select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.details)
        .where(AuditEvent.action == actions.AUDIT_RETENTION_APPLIED)
        .order_by(AuditEvent.seq.desc())
    )
    for seq, prev_hash, details in recorded:
        anchor = _anchor_of(details)
        if anchor is None or anchor.checkpoint.seq != first - 1:
            continue
        if anchor.follows(seq, prev_hash) and signature_holds(
            anchor.checkpoint, trusted_keys, anchor.kind
        ):
            return anchor.checkpoint
    return None
