"""PostgreSQL's monthly partitions of ``audit_event`` (migration ``d4f8a1b2c3e5``).

``audit_event`` is partitioned by ``occurred_at``, one partition per calendar month (UTC) named
``audit_event_YYYY_MM``, and ``audit_event_default`` for a month without one. The database
function ``homeward_audit_partition(month)`` (made by the migration) creates one month's
partition with its TRUNCATE trigger, idempotently, and refuses a month whose events already
sit in the default partition. :func:`create_ahead` calls it for the months ahead; it needs the
owner role (``homeward audit partitions``). SQLite keeps one plain table: nothing to do.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.exceptions import HomewardError

PARTITION_NAME = re.compile(r"audit_event_(\d{4})_(\d{2})")
DEFAULT_PARTITION = "audit_event_default"
#: Months after the current one that ``homeward audit partitions`` makes by default.
MONTHS_AHEAD = 3
#: Making a partition takes ACCESS EXCLUSIVE on ``audit_event``. Behind an open reader (pg_dump,
#: a long export) the request waits and every append queues behind it, so each attempt gives up
#: after ``LOCK_TIMEOUT`` and the month is tried ``LOCK_ATTEMPTS`` times, ``LOCK_PAUSE`` apart.
LOCK_TIMEOUT = "2s"
LOCK_ATTEMPTS = 4
LOCK_PAUSE = 3.0
#: PostgreSQL's lock_not_available (lock_timeout) and object_not_in_prerequisite_state.
LOCK_NOT_AVAILABLE, NOT_IN_PREREQUISITE_STATE = "55P03", "55000"


class PartitionBusyError(HomewardError):
    """A month's partition could not be made: ``audit_event`` stayed locked by a reader."""


@dataclass(frozen=True)
class Partition:
    """One month's partition: its table name and the first day of its month."""

    name: str
    month: date

    @property
    def ends(self) -> datetime:
        """The first instant (UTC) after the partition's month."""
        following = add_months(self.month, 1)
        return datetime(following.year, following.month, 1, tzinfo=UTC)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def is_partitioned(session: Session) -> bool:
    """True when ``audit_event`` is a partitioned table (PostgreSQL after the migration)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    kind = session.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass('audit_event')")
    ).scalar()
    return bool(kind == "p")


def monthly_partitions(session: Session) -> list[Partition]:
    """The monthly partitions, oldest first (the default partition is not one)."""
    names = session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass('audit_event')"
        )
    ).scalars()
    found = []
    for name in names:
        match = PARTITION_NAME.fullmatch(name)
        if match:
            found.append(Partition(name, date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda p: p.month)


@dataclass
class Ahead:
    """What :func:`create_ahead` did: partitions made, months already there, months refused."""

    created: list[str]
    present: list[str]
    refused: list[str]


def create_ahead(session: Session, today: date, months: int = MONTHS_AHEAD) -> Ahead:
    """Make the partitions of ``today``'s month and the ``months`` after it, where missing.

    Each month in a savepoint: a month refused (its events already in the default partition)
    leaves the others made; the caller commits. Each attempt waits at most ``LOCK_TIMEOUT``
    for its lock (appends queue behind the request meanwhile); a month still locked after
    ``LOCK_ATTEMPTS`` raises :class:`PartitionBusyError` naming it. Running again is safe."""
    result = Ahead([], [], [])
    first = date(today.year, today.month, 1)
    previous = session.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    _lock_timeout(session, LOCK_TIMEOUT)
    try:
        for step in range(months + 1):
            month = add_months(first, step)
            made = _create_month(session, month)
            label = month.strftime("%Y-%m")
            {None: result.refused, True: result.created, False: result.present}[made].append(label)
    finally:
        _lock_timeout(session, previous)
    return result


def _lock_timeout(session: Session, value: str) -> None:
    session.execute(text("SELECT set_config('lock_timeout', :value, true)"), {"value": value})


def _create_month(session: Session, month: date) -> bool | None:
    """True: made; False: already there; None: refused (events in the default partition)."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                made = session.execute(
                    text("SELECT homeward_audit_partition(:month)"), {"month": month}
                ).scalar()
            return bool(made)
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if state == NOT_IN_PREREQUISITE_STATE:
                return None
            if state != LOCK_NOT_AVAILABLE:
                raise
        if attempt < LOCK_ATTEMPTS:
            time.sleep(LOCK_PAUSE)
    raise PartitionBusyError(
        f"no partition made for {month:%Y-%m}: audit_event stayed locked by another session "
        f"({LOCK_ATTEMPTS} attempts of {LOCK_TIMEOUT}); run the job again when it ends"
    )
