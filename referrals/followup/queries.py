"""Follow-through on referrals, the reads: what is overdue, for whom, escalation, counts.

A referral is overdue for the referrer when

* the provider has not answered by ``respond_by`` (still ``sent`` past the deadline, or already
  ``expired``) — an expired referral stays overdue until the referrer acknowledges it
  (``services.acknowledge_expired``), typically after referring the person elsewhere; or
* it was accepted but is not completed by ``expected_completion``.

Overdue for more than ``HOMEWARD_REFERRAL_ESCALATION_DAYS`` days, it is escalated to the
supervisors of the referring organisation. Everything here reads plain columns only: nothing
is decrypted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from audit import record
from auth.models import Organisation, User
from casework.models import Case
from core.clock import utcnow
from core.db import get_session
from core.pagination import parse_time_cursor
from core.permissions import Permission, Role
from core.security import Actor
from core.settings_sections import ReferralSettings
from referrals.directory.models import Service
from referrals.followup.models import ReferralAcknowledgement

# referral_path moved to referrals.links (it reads the app's URL map); notifications imports it
# from here until it imports it from there.
from referrals.links import referral_path  # noqa: F401
from referrals.models import Referral
from referrals.vocabulary import ReferralState

#: Kinds of overdue referral.
ANSWER = "answer"
COMPLETION = "completion"
#: The supervisor's overdue list shows at most this many rows (newest first).
LIST_LIMIT = 200
#: "My referrals" pages by this many rows (keyset pagination on sent_at, id).
PAGE_SIZE = 50

_SENT = ReferralState.SENT.value
_EXPIRED = ReferralState.EXPIRED.value
_ACCEPTED = ReferralState.ACCEPTED.value


def acknowledged() -> ColumnElement[bool]:
    return exists().where(ReferralAcknowledgement.referral_id == Referral.id)


def answer_overdue(now: datetime) -> ColumnElement[bool]:
    """No answer by the deadline: still sent past it, or expired and not yet acknowledged."""
    return or_(
        and_(Referral.state == _SENT, Referral.respond_by < now),
        and_(Referral.state == _EXPIRED, ~acknowledged()),
    )


def completion_overdue(today: date) -> ColumnElement[bool]:
    """Accepted, and the expected completion date has passed."""
    return and_(Referral.state == _ACCEPTED, Referral.expected_completion < today)


def overdue(now: datetime) -> ColumnElement[bool]:
    return or_(answer_overdue(now), completion_overdue(now.date()))


def escalated(now: datetime, days: int) -> ColumnElement[bool]:
    """Overdue for more than ``days`` days."""
    cutoff = now - timedelta(days=days)
    return or_(
        and_(answer_overdue(now), Referral.respond_by < cutoff),
        and_(completion_overdue(now.date()), Referral.expected_completion < cutoff.date()),
    )


# ---- rows shown in the lists ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRow:
    """One referral as the follow-through lists show it (plain columns only)."""

    id: uuid.UUID
    reference: str
    case_id: uuid.UUID
    case_number: str
    state: str
    urgency: str
    provider: str
    service: str
    referrer: str
    sent_at: datetime
    respond_by: datetime
    expected_completion: date | None
    acknowledged: bool
    overdue_kind: str | None
    overdue_since: date | None
    escalated: bool


def overdue_of(
    state: str,
    respond_by: datetime,
    expected: date | None,
    acknowledged: bool,
    now: datetime,
) -> tuple[str | None, date | None]:
    if (state == _SENT and respond_by < now) or (state == _EXPIRED and not acknowledged):
        return ANSWER, respond_by.date()
    if state == _ACCEPTED and expected is not None and expected < now.date():
        return COMPLETION, expected
    return None, None


def is_escalated(
    kind: str | None, respond_by: datetime, expected: date | None, now: datetime, days: int
) -> bool:
    """The row-by-row twin of :func:`escalated` (same cut-offs)."""
    cutoff = now - timedelta(days=days)
    if kind == ANSWER:
        return respond_by < cutoff
    if kind == COMPLETION:
        return expected is not None and expected < cutoff.date()
    return False


def _row_query() -> Select[*tuple[Any, ...]]:
    provider = aliased(Organisation)
    referrer = aliased(User)
    return (
        select(
            Referral.id,
            Referral.reference,
            Referral.case_id,
            Case.case_number,
            Referral.state,
            Referral.urgency,
            provider.name.label("provider"),
            Service.name.label("service"),
            referrer.display_name.label("referrer"),
            Referral.sent_at,
            Referral.respond_by,
            Referral.expected_completion,
            acknowledged().label("acknowledged"),
        )
        .join(Case, Case.id == Referral.case_id)
        .join(provider, provider.id == Referral.provider_organisation_id)
        .join(Service, Service.id == Referral.service_id)
        .join(referrer, referrer.id == Referral.referrer_id)
    )


def _rows(
    db: Session, stmt: Select[*tuple[Any, ...]], now: datetime, days: int, limit: int
) -> list[ReferralRow]:
    rows = []
    order = (Referral.sent_at.desc(), Referral.id.desc())
    for r in db.execute(stmt.order_by(*order).limit(limit)):
        kind, since = overdue_of(
            r.state, r.respond_by, r.expected_completion, bool(r.acknowledged), now
        )
        rows.append(
            ReferralRow(
                id=r.id,
                reference=r.reference,
                case_id=r.case_id,
                case_number=r.case_number,
                state=r.state,
                urgency=r.urgency,
                provider=r.provider,
                service=r.service,
                referrer=r.referrer,
                sent_at=r.sent_at,
                respond_by=r.respond_by,
                expected_completion=r.expected_completion,
                acknowledged=bool(r.acknowledged),
                overdue_kind=kind,
                overdue_since=since,
                escalated=is_escalated(kind, r.respond_by, r.expected_completion, now, days),
            )
        )
    return rows


# ---- the referrer's list -------------------------------------------------------------------


@dataclass(frozen=True)
class MyReferralFilters:
    state: str | None = None
    urgency: str | None = None
    overdue_only: bool = False

    @property
    def active(self) -> bool:
        return bool(self.state or self.urgency or self.overdue_only)


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralRow]
    next_cursor: str | None


def _cursor(row: ReferralRow) -> str:
    return f"{row.sent_at.isoformat()}|{row.id}"


def _after(cursor: str | None) -> ColumnElement[bool] | None:
    """Rows after ``cursor`` in newest-first order; None for the first page or a bad cursor."""
    if not cursor:
        return None
    parts = parse_time_cursor(cursor)
    if parts is None:
        return None
    at, row_id = parts
    return or_(Referral.sent_at < at, and_(Referral.sent_at == at, Referral.id < row_id))


def sent_by(actor: Actor) -> ColumnElement[bool]:
    """Referrals the actor sent from their present organisation (none from one they left)."""
    return and_(
        Referral.referrer_id == actor.user_id,
        Referral.referring_organisation_id == actor.organisation_id,
    )


def my_referrals(
    db: Session,
    actor: Actor,
    filters: MyReferralFilters,
    settings: ReferralSettings,
    cursor: str | None = None,
) -> ReferralPage:
    """Every referral the actor sent, newest first, a page at a time; audited with the count."""
    now = utcnow()
    stmt = _row_query().where(sent_by(actor))
    after = _after(cursor)
    if after is not None:
        stmt = stmt.where(after)
    if filters.state:
        stmt = stmt.where(Referral.state == filters.state)
    if filters.urgency:
        stmt = stmt.where(Referral.urgency == filters.urgency)
    if filters.overdue_only:
        stmt = stmt.where(overdue(now))
    rows = _rows(db, stmt, now, settings.escalation_days, PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    record(
        db,
        "referral.listed",
        actor=actor,
        object_type="referral",
        details={"list": "mine", "count": len(rows)},
    )
    return ReferralPage(rows, _cursor(rows[-1]) if more and rows else None)


# ---- the supervisor's list -----------------------------------------------------------------


@dataclass(frozen=True)
class OverdueFilters:
    kind: str | None = None
    escalated_only: bool = False

    @property
    def active(self) -> bool:
        return bool(self.kind or self.escalated_only)


def organisation_overdue(
    db: Session, actor: Actor, filters: OverdueFilters, settings: ReferralSettings
) -> list[ReferralRow]:
    """Overdue referrals sent by the supervisor's organisation; audited with the count."""
    now = utcnow()
    days = settings.escalation_days
    if actor.role is not Role.SUPERVISOR or actor.organisation_id is None:
        condition: ColumnElement[bool] = false()
    else:
        condition = Referral.referring_organisation_id == actor.organisation_id
    stmt = _row_query().where(condition)
    if filters.kind == ANSWER:
        stmt = stmt.where(answer_overdue(now))
    elif filters.kind == COMPLETION:
        stmt = stmt.where(completion_overdue(now.date()))
    else:
        stmt = stmt.where(overdue(now))
    if filters.escalated_only:
        stmt = stmt.where(escalated(now, days))
    rows = _rows(db, stmt, now, days, LIST_LIMIT)
    record(
        db,
        "referral.listed",
        actor=actor,
        object_type="referral",
        details={
            "list": "organisation_overdue",
            "count": len(rows),
            "escalated": sum(r.escalated for r in rows),
        },
    )
    return rows


# ---- acknowledging an expired referral -----------------------------------------------------


def may_follow_up(actor: Actor, referral: Referral) -> bool:
    """The referrer while still of the referring organisation, or a supervisor of it."""
    if not actor.can(Permission.REFERRAL_SEND):
        return False
    if referral.referrer_id == actor.user_id:
        return referral.referring_organisation_id == actor.organisation_id
    return (
        actor.role is Role.SUPERVISOR
        and referral.referring_organisation_id == actor.organisation_id
    )


# ---- navigation counts ---------------------------------------------------------------------


def _count(db: Session, condition: ColumnElement[bool]) -> int:
    return int(db.scalar(select(func.count()).select_from(Referral).where(condition)) or 0)


def inbox_count(actor: Actor) -> int:
    """Provider staff: referrals to their organisation waiting for an answer (overdue too)."""
    if not actor.can(Permission.REFERRAL_RESPOND) or actor.organisation_id is None:
        return 0
    return _count(
        get_session(),
        and_(Referral.provider_organisation_id == actor.organisation_id, Referral.state == _SENT),
    )


def my_referrals_count(actor: Actor) -> int:
    """The referrer: referrals they sent that need attention (overdue, or expired unseen)."""
    if not actor.can(Permission.REFERRAL_SEND):
        return 0
    return _count(get_session(), and_(sent_by(actor), overdue(utcnow())))
