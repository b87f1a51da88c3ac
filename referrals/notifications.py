"""E-mail about referrals: a reference number and a link, never personal data.

Who is told:

* a new referral -> every active provider-staff account of the provider organisation;
* an answer or outcome (accepted, declined, completed, not completed) -> the referrer;
* expiry (no answer by the deadline) -> the referrer;
* cancellation (by the referrer, or because the consent it relied on was withdrawn) -> the
  provider staff: the referral was withdrawn.

When: after the commit. The signal receivers only *collect* a notification on the session that
made the change; that session's ``after_commit`` marks it ready and a rollback drops it. The
request's teardown (or the CLI command's app-context teardown) then sends each ready one to
each recipient separately and records ``notification.sent`` / ``notification.failed`` in a
transaction of its own. A mail failure therefore never loses or rolls back a transition, and
nothing is sent for a change that did not happen. The cost: a process that dies between the
commit and the sending loses that e-mail (the counts in the navigation and the task lists,
derived from the data, still show the referral). The teardown runs before the response body
reaches the browser, so an unreachable SMTP server delays that response by core.mail's
timeout; in production point ``HOMEWARD_SMTP_URL`` at a local relay.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction, object_session

from audit import record
from auth.models import User
from core.commands import QUIET
from core.db import current_db, get_session
from core.mail import send_mail
from core.permissions import Role
from core.security import Actor, current_actor
from referrals.followup.queries import referral_path
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import ReferralState

log = logging.getLogger("homeward.referrals.notifications")

#: Kinds of notification (audit details name them).
SENT = "referral_sent"
ANSWERED = "referral_answered"
OUTCOME = "referral_outcome"
EXPIRED = "referral_expired"
WITHDRAWN = "referral_withdrawn"
#: Kinds that go to the provider's staff; the others go to the referrer.
TO_PROVIDER = frozenset({SENT, WITHDRAWN})

_PENDING = "homeward_notifications_pending"
_LISTENING = "homeward_notifications_listening"
_READY = "_homeward_notifications_ready"


@dataclass(frozen=True)
class Notification:
    """What to tell whom about one referral: ids and the reference only."""

    kind: str
    referral_id: uuid.UUID
    case_id: uuid.UUID
    reference: str
    provider_organisation_id: uuid.UUID
    referrer_id: uuid.UUID
    actor: Actor | None

    @property
    def to_provider(self) -> bool:
        return self.kind in TO_PROVIDER


# ---- collecting (inside the transaction) -----------------------------------------------------


def _kind_of(signal_kind: str, event_: ReferralEvent | None) -> str | None:
    to_state = event_.to_state if event_ is not None else None
    if signal_kind == SENT:
        return SENT
    if signal_kind == ANSWERED:
        if to_state in (ReferralState.COMPLETED, ReferralState.NOT_COMPLETED):
            return OUTCOME
        return ANSWERED
    if to_state == ReferralState.EXPIRED:
        return EXPIRED
    if to_state == ReferralState.CANCELLED:
        return WITHDRAWN
    return None


def collect(session: Session, notification: Notification) -> None:
    """Queue a notification on ``session``: sent after it commits, dropped if it rolls back
    (and never queued for a quiet session: the demo data's made-up referrals)."""
    if session.info.get(QUIET):
        return
    if not session.info.get(_LISTENING):
        sa_event.listen(session, "after_commit", _on_commit)
        sa_event.listen(session, "after_soft_rollback", _on_rollback)
        session.info[_LISTENING] = True
    session.info.setdefault(_PENDING, []).append(notification)


def _on_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if pending and has_app_context():
        g.setdefault(_READY, []).extend(pending)


def _on_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_PENDING, None)


def _receiver(signal_kind: str) -> Any:
    def receive(
        _app: Flask, referral: Referral, event: ReferralEvent | None = None, **_: Any
    ) -> None:
        kind = _kind_of(signal_kind, event)
        if kind is None:
            return
        notification = Notification(
            kind=kind,
            referral_id=referral.id,
            case_id=referral.case_id,
            reference=referral.reference,
            provider_organisation_id=referral.provider_organisation_id,
            referrer_id=referral.referrer_id,
            actor=current_actor(),
        )
        collect(object_session(referral) or get_session(), notification)

    receive.__name__ = f"notify_{signal_kind}"
    return receive


on_sent = _receiver(SENT)
on_answered = _receiver(ANSWERED)
on_closed = _receiver("referral_closed")


# ---- sending (after the commit) ------------------------------------------------------------


def _recipients(db: Session, n: Notification) -> list[tuple[str, str]]:
    """(e-mail address, preferred language) of everyone to tell; staff accounts only."""
    stmt = select(User.email, User.preferred_language).where(User.active.is_(True))
    if n.to_provider:
        stmt = stmt.where(
            User.organisation_id == n.provider_organisation_id,
            User.role == Role.PROVIDER_STAFF.value,
        )
    else:
        stmt = stmt.where(User.id == n.referrer_id)
    return [(row.email, row.preferred_language) for row in db.execute(stmt.order_by(User.email))]


def compose(kind: str, reference: str, link: str) -> tuple[str, str]:
    """Subject and body: the reference and the link, nothing about the person or the case."""
    subjects = {
        SENT: _("Homeward: new referral %(ref)s", ref=reference),
        ANSWERED: _("Homeward: referral %(ref)s was answered", ref=reference),
        OUTCOME: _("Homeward: referral %(ref)s has an outcome", ref=reference),
        EXPIRED: _("Homeward: referral %(ref)s expired without an answer", ref=reference),
        WITHDRAWN: _("Homeward: referral %(ref)s was withdrawn", ref=reference),
    }
    leads = {
        SENT: _(
            "A new referral, %(ref)s, is waiting for your organisation's answer.", ref=reference
        ),
        ANSWERED: _("The provider answered referral %(ref)s.", ref=reference),
        OUTCOME: _("The provider reported the outcome of referral %(ref)s.", ref=reference),
        EXPIRED: _(
            "Referral %(ref)s was not answered in time and has expired; please decide what "
            "to do next.",
            ref=reference,
        ),
        WITHDRAWN: _(
            "Referral %(ref)s was withdrawn by the referring organisation; it no longer "
            "needs an answer or any further work.",
            ref=reference,
        ),
    }
    body = "\n\n".join(
        [
            leads[kind],
            _("Open it in Homeward: %(link)s", link=link),
            _(
                "For the person's protection this message holds no personal details; "
                "sign in to see them."
            ),
        ]
    )
    return subjects[kind], body + "\n"


def deliver(db: Session, n: Notification) -> tuple[int, int]:
    """E-mail one notification to each recipient and audit it; returns (sent, failed)."""
    path = referral_path(n.referral_id, n.case_id, for_provider=n.to_provider)
    link = current_app.config["BASE_URL"].rstrip("/") + path
    recipients = _recipients(db, n)
    sent, failed, error = 0, 0, "no_recipients"
    for address, language in recipients:
        with force_locale(language or current_app.config["DEFAULT_LOCALE"]):
            subject, body = compose(n.kind, n.reference, link)
        try:
            send_mail(address, subject, body)
            sent += 1
        except (OSError, RuntimeError) as exc:
            failed += 1
            error = type(exc).__name__
    about: dict[str, Any] = {
        "actor": n.actor,
        "object_type": "referral",
        "object_id": n.referral_id,
        "case_id": n.case_id,
    }
    if sent:
        record(db, "notification.sent", **about, details={"kind": n.kind, "recipients": sent})
    if failed or not recipients:
        log.warning(
            "referral notification not delivered: kind=%s referral=%s failed=%d error=%s",
            n.kind,
            n.referral_id,
            failed,
            error,
        )
        record(
            db,
            "notification.failed",
            **about,
            outcome="failed",
            details={
                "kind": n.kind,
                "recipients": len(recipients),
                "failed": failed,
                "error": error,
            },
        )
    return sent, failed


def send_ready(_exc: BaseException | None = None) -> None:
    """Teardown: send what the committed transactions of this request or command queued."""
    ready: list[Notification] = g.pop(_READY, [])
    if not ready:
        return
    try:
        with current_db().session_scope() as db:
            for notification in ready:
                deliver(db, notification)
    except Exception as exc:  # the response is gone; a teardown must not fail
        log.error("referral notifications could not be audited: %s", type(exc).__name__)
