"""Alerts for auditors, computed from the log itself over a look-back window.

- repeated login failures for one account or from one address (``AUDIT_ALERT_LOGIN_FAILURES``),
  and every account lock-out;
- one user touching unusually many distinct cases within an hour
  (``AUDIT_ALERT_CASES_PER_HOUR``);
- every emergency ("break-the-glass") access;
- a burst of denials from one user or address within an hour (``AUDIT_ALERT_DENIALS_PER_HOUR``);
- one user told by duplicate checks which other organisations hold people, as often as
  ``DUPLICATE_DISCLOSURE_LIMIT`` within a day, or refused such a disclosure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from audit.actions import (
    ACCESS_DENIED,
    ACCOUNT_LOCKED,
    DUPLICATE_DISCLOSED,
    DUPLICATE_WITHHELD,
    EMERGENCY_ACCESS,
    LOGIN_FAILURES,
)
from audit.models import AuditEvent
from core.clock import utcnow
from core.config import Settings
from core.forms import parse_uuid
from core.settings_sections import AuditSettings

KINDS = (
    "login_failures",
    "account_locked",
    "many_cases",
    "emergency_access",
    "denial_burst",
    "duplicate_disclosures",
)


@dataclass(frozen=True)
class Thresholds:
    login_failures: int
    cases_per_hour: int
    denials_per_hour: int
    duplicate_disclosures: int = Settings.DUPLICATE_DISCLOSURE_LIMIT

    @classmethod
    def from_settings(cls, settings: AuditSettings) -> Thresholds:
        return cls(
            login_failures=settings.alert_login_failures,
            cases_per_hour=settings.alert_cases_per_hour,
            denials_per_hour=settings.alert_denials_per_hour,
            duplicate_disclosures=settings.alert_duplicate_disclosures,
        )


@dataclass(frozen=True)
class Alert:
    kind: str
    at: datetime
    count: int = 1
    user_id: uuid.UUID | None = None
    ip_address: str | None = None
    case_id: uuid.UUID | None = None
    seq: int | None = None
    subject_id: str | None = None
    #: The emergency grant an ``emergency_access`` alert is about (its reason can be read).
    grant_id: uuid.UUID | None = None


def _hour(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", AuditEvent.occurred_at))
    return func.strftime("%Y-%m-%d %H:00:00", AuditEvent.occurred_at)


def _as_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def login_failure_alerts(session: Session, since: datetime, threshold: int) -> list[Alert]:
    e = AuditEvent
    window = (e.action.in_(LOGIN_FAILURES), e.occurred_at >= since)
    by_account = session.execute(
        select(e.object_id, func.count(), func.max(e.occurred_at))
        .where(*window, e.object_type == "user")
        .group_by(e.object_id)
        .having(func.count() >= threshold)
    ).all()
    by_address = session.execute(
        select(e.ip_address, func.count(), func.max(e.occurred_at))
        .where(*window, e.ip_address.is_not(None))
        .group_by(e.ip_address)
        .having(func.count() >= threshold)
    ).all()
    found = [Alert("login_failures", _as_time(at), n, subject_id=oid) for oid, n, at in by_account]
    found += [Alert("login_failures", _as_time(at), n, ip_address=ip) for ip, n, at in by_address]
    locked = session.scalars(
        select(e).where(e.action == ACCOUNT_LOCKED, e.occurred_at >= since).order_by(e.seq.desc())
    )
    found += [
        Alert("account_locked", ev.occurred_at, seq=ev.seq, subject_id=ev.object_id)
        for ev in locked
    ]
    return found


def many_cases_alerts(session: Session, since: datetime, threshold: int) -> list[Alert]:
    e = AuditEvent
    hour = _hour(session)
    rows = session.execute(
        select(e.actor_user_id, hour, func.count(func.distinct(e.case_id)))
        .where(e.occurred_at >= since, e.case_id.is_not(None), e.actor_user_id.is_not(None))
        .group_by(e.actor_user_id, hour)
        .having(func.count(func.distinct(e.case_id)) > threshold)
    ).all()
    return [Alert("many_cases", _as_time(h), n, user_id=uid) for uid, h, n in rows]


def emergency_alerts(session: Session, since: datetime) -> list[Alert]:
    e = AuditEvent
    events = session.scalars(
        select(e).where(e.action == EMERGENCY_ACCESS, e.occurred_at >= since).order_by(e.seq.desc())
    )
    return [
        Alert(
            "emergency_access",
            ev.occurred_at,
            user_id=ev.actor_user_id,
            case_id=ev.case_id,
            seq=ev.seq,
            grant_id=_grant_id(ev),
        )
        for ev in events
    ]


def _grant_id(event: AuditEvent) -> uuid.UUID | None:
    return parse_uuid(event.details_dict.get("grant_id"))


def denial_burst_alerts(session: Session, since: datetime, threshold: int) -> list[Alert]:
    e = AuditEvent
    hour = _hour(session)
    rows = session.execute(
        select(e.actor_user_id, e.ip_address, hour, func.count())
        .where(e.action == ACCESS_DENIED, e.occurred_at >= since)
        .group_by(e.actor_user_id, e.ip_address, hour)
        .having(func.count() >= threshold)
    ).all()
    return [
        Alert("denial_burst", _as_time(h), n, user_id=uid, ip_address=ip) for uid, ip, h, n in rows
    ]


def duplicate_disclosure_alerts(session: Session, since: datetime, threshold: int) -> list[Alert]:
    """Users told (or refused) which organisation holds a possible duplicate, often in a day."""
    e = AuditEvent
    day = _day(session)
    withheld = func.sum(case((e.action == DUPLICATE_WITHHELD, 1), else_=0))
    rows = session.execute(
        select(e.actor_user_id, day, func.count(), func.max(e.occurred_at))
        .where(
            e.action.in_((DUPLICATE_DISCLOSED, DUPLICATE_WITHHELD)),
            e.occurred_at >= since,
            e.actor_user_id.is_not(None),
        )
        .group_by(e.actor_user_id, day)
        .having((func.count() >= threshold) | (withheld > 0))
    ).all()
    return [Alert("duplicate_disclosures", _as_time(at), n, user_id=uid) for uid, _d, n, at in rows]


def _day(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("day", func.timezone("UTC", AuditEvent.occurred_at))
    return func.strftime("%Y-%m-%d", AuditEvent.occurred_at)


def current_alerts(session: Session, thresholds: Thresholds, days: int = 7) -> list[Alert]:
    """Every alert of the last ``days``, newest first."""
    since = utcnow() - timedelta(days=days)
    found = (
        login_failure_alerts(session, since, thresholds.login_failures)
        + many_cases_alerts(session, since, thresholds.cases_per_hour)
        + emergency_alerts(session, since)
        + denial_burst_alerts(session, since, thresholds.denials_per_hour)
        + duplicate_disclosure_alerts(session, since, thresholds.duplicate_disclosures)
    )
    return sorted(found, key=lambda a: a.at, reverse=True)
