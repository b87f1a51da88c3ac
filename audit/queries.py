"""Reading the log: filters, keyset pages, a case's access history, a user's activity."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from audit.models import AuditCheckpoint, AuditEvent
from audit.services import PENDING
from core.clock import utcnow

PAGE_SIZE = 50


def queued_events(session: Session) -> list[AuditEvent]:
    """The events this session's transaction recorded and has not appended yet (they are
    written at its commit, or when it reads the audit table through the session): a count
    that must not take the chain's lock adds them to the table's (the disclosure budget)."""
    return [item.event for item in session.info.get(PENDING) or ()]


@dataclass(frozen=True)
class LogFilter:
    """What the auditor narrowed the log to; every field is an id, a code or a date."""

    user_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    action: str | None = None
    outcome: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    case_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        e = AuditEvent
        found: list[ColumnElement[bool]] = []
        if self.user_id is not None:
            found.append(e.actor_user_id == self.user_id)
        if self.organisation_id is not None:
            found.append(e.actor_organisation_id == self.organisation_id)
        if self.action:
            found.append(e.action == self.action)
        if self.outcome:
            found.append(e.outcome == self.outcome)
        if self.object_type:
            found.append(e.object_type == self.object_type)
        if self.object_id:
            found.append(e.object_id == self.object_id)
        if self.case_id is not None:
            found.append(e.case_id == self.case_id)
        if self.date_from is not None:
            found.append(e.occurred_at >= _start_of(self.date_from))
        if self.date_to is not None:
            found.append(e.occurred_at < _start_of(self.date_to + timedelta(days=1)))
        return found

    def as_details(self) -> dict[str, str]:
        """The filter for the audit record of an export: ids and dates only."""
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "")}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class LogPage:
    events: list[AuditEvent]
    older: int | None
    newer: int | None


def log_page(
    session: Session,
    flt: LogFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> LogPage:
    """One page of matching events, newest first; ``before``/``after`` are keyset cursors."""
    stmt = select(AuditEvent).where(*flt.conditions())
    if after is not None:
        rows = list(
            session.scalars(
                stmt.where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(size + 1)
            )
        )
        more_newer = len(rows) > size
        events = list(reversed(rows[:size]))
        older = events[-1].seq if events else None
        newer = events[0].seq if events and more_newer else None
        return LogPage(events, older, newer)
    if before is not None:
        stmt = stmt.where(AuditEvent.seq < before)
    rows = list(session.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(size + 1)))
    events = rows[:size]
    older = events[-1].seq if events and len(rows) > size else None
    newer = events[0].seq if events and before is not None else None
    return LogPage(events, older, newer)


def case_access_history(
    session: Session, case_id: uuid.UUID, limit: int = 200, exclude: Collection[str] = ()
) -> list[AuditEvent]:
    """Who touched this case: its events, newest first (the case page shows these), leaving
    out the actions in ``exclude`` in the query itself (a case viewed a thousand times must
    not load a thousand views to show its ten changes)."""
    stmt = select(AuditEvent).where(AuditEvent.case_id == case_id)
    if exclude:
        stmt = stmt.where(AuditEvent.action.not_in(list(exclude)))
    return list(session.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(limit)))


@dataclass(frozen=True)
class Accessor:
    user_id: uuid.UUID | None
    role: str | None
    organisation_id: uuid.UUID | None
    events: int
    denied: int
    first: datetime
    last: datetime


def case_event_details(
    session: Session, case_id: uuid.UUID, action: str
) -> list[tuple[datetime, dict[str, Any]]]:
    """When each successful ``action`` event of the case happened and its details (a dict;
    empty when the stored details are not one), in the chain's order. Packages that keep no
    time of their own for a change (a stage entered, an action marked done) read it here."""
    rows = session.execute(
        select(AuditEvent.occurred_at, AuditEvent.details)
        .where(
            AuditEvent.case_id == case_id,
            AuditEvent.action == action,
            AuditEvent.outcome == "ok",
        )
        .order_by(AuditEvent.seq)
    )
    found = []
    for occurred_at, details in rows:
        loaded = json.loads(details or "{}")
        found.append((occurred_at, loaded if isinstance(loaded, dict) else {}))
    return found


def case_accessors(session: Session, case_id: uuid.UUID) -> list[Accessor]:
    """Everyone who touched a case, with how often and when first and last."""
    e = AuditEvent
    denied = func.sum(case((e.outcome == "denied", 1), else_=0))
    rows = session.execute(
        select(
            e.actor_user_id,
            e.actor_role,
            e.actor_organisation_id,
            func.count(),
            denied,
            func.min(e.occurred_at),
            func.max(e.occurred_at),
        )
        .where(e.case_id == case_id)
        .group_by(e.actor_user_id, e.actor_role, e.actor_organisation_id)
        .order_by(func.max(e.occurred_at).desc())
    ).all()
    return [Accessor(r[0], r[1], r[2], r[3], int(r[4] or 0), r[5], r[6]) for r in rows]


@dataclass(frozen=True)
class ActivitySummary:
    days: int
    by_action: list[tuple[str, str, int]]
    distinct_cases: int
    last_seen: datetime | None


def user_activity(session: Session, user_id: uuid.UUID, days: int = 30) -> ActivitySummary:
    """What a user did in the last ``days``: counts per action and outcome, cases touched."""
    e = AuditEvent
    since = utcnow() - timedelta(days=days)
    scope = (e.actor_user_id == user_id, e.occurred_at >= since)
    by_action = session.execute(
        select(e.action, e.outcome, func.count())
        .where(*scope)
        .group_by(e.action, e.outcome)
        .order_by(func.count().desc(), e.action)
    ).all()
    distinct_cases = session.scalar(select(func.count(func.distinct(e.case_id))).where(*scope))
    last_seen = session.scalar(
        select(e.occurred_at).where(e.actor_user_id == user_id).order_by(e.seq.desc()).limit(1)
    )
    return ActivitySummary(
        days, [(a, o, int(n)) for a, o, n in by_action], int(distinct_cases or 0), last_seen
    )


def chain_head(session: Session) -> AuditEvent | None:
    return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def latest_event(session: Session, action: str) -> AuditEvent | None:
    return session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
    )


def oldest_event_time(session: Session) -> datetime | None:
    return session.scalar(select(AuditEvent.occurred_at).order_by(AuditEvent.seq).limit(1))


def checkpoint_age_seconds(session: Session) -> float:
    """Seconds since the newest signed checkpoint; -1 when none was ever made."""
    newest = session.scalar(select(func.max(AuditCheckpoint.created_at)))
    if newest is None:
        return -1.0
    if newest.tzinfo is None:  # SQLite keeps no zone in an aggregate's result
        newest = newest.replace(tzinfo=UTC)
    return max(0.0, (utcnow() - newest).total_seconds())


def unsealed_events(session: Session) -> int:
    """Events appended after the newest checkpoint (not yet covered by a signature)."""
    sealed = session.scalar(select(func.max(AuditCheckpoint.seq))) or 0
    head = session.scalar(select(func.max(AuditEvent.seq))) or 0
    return max(0, int(head) - int(sealed))
