"""E-mail about referrals: a reference number and a link, never personal data.

Who is told:

* a new referral -> every active provider-staff account of the provider organisation;
* an answer or outcome (accepted, declined, completed, not completed) -> the referrer;
* expiry (no answer by the deadline) -> the referrer;
* cancellation (by the referrer, or because the consent it relied on was withdrawn) -> the
  provider staff: the referral was withdrawn.

How: the signal receivers write one outbox row per recipient (template ``TEMPLATE``, the
kind, ids and the reference) in the transaction that made the change, so a rollback sends
nothing and a commit cannot lose the e-mail. ``homeward outbox send`` renders each in the
recipient's language and sends it; the request never talks to SMTP. The sender's outcome
comes back through ``core.signals.outbox_message_settled`` and is audited here
(``notification.sent`` / ``notification.failed``); a referral with nobody to tell is
audited as ``notification.failed`` (``no_recipients``) in the change's transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from audit import record
from auth.models import User
from core.commands import QUIET
from core.db import get_session
from core.outbox.rendering import MailContext, MailTemplates, RenderedMail
from core.outbox.services import enqueue
from core.permissions import Role
from core.security import Actor, current_actor
from referrals.followup.queries import referral_path
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import ReferralState

log = logging.getLogger("homeward.referrals.notifications")

#: The outbox template of every referral notification.
TEMPLATE = "referrals.notification"

#: Kinds of notification (audit details name them).
SENT = "referral_sent"
ANSWERED = "referral_answered"
OUTCOME = "referral_outcome"
EXPIRED = "referral_expired"
WITHDRAWN = "referral_withdrawn"
KINDS = (SENT, ANSWERED, OUTCOME, EXPIRED, WITHDRAWN)
#: Kinds that go to the provider's staff; the others go to the referrer.
TO_PROVIDER = frozenset({SENT, WITHDRAWN})


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


# ---- queueing (inside the transaction) -------------------------------------------------------


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


def _recipients(db: Session, n: Notification) -> list[uuid.UUID]:
    """The accounts to tell: the provider's active staff, or the referrer while active."""
    stmt = select(User.id).where(User.active.is_(True))
    if n.to_provider:
        stmt = stmt.where(
            User.organisation_id == n.provider_organisation_id,
            User.role == Role.PROVIDER_STAFF.value,
        )
    else:
        stmt = stmt.where(User.id == n.referrer_id)
    return list(db.scalars(stmt.order_by(User.id)))


def _about(referral_id: Any, case_id: Any) -> dict[str, Any]:
    return {"object_type": "referral", "object_id": referral_id, "case_id": case_id}


def queue(session: Session, n: Notification) -> int:
    """One outbox row per recipient, in ``session``'s transaction (none for a quiet session:
    the demo data's made-up referrals). Returns how many were queued."""
    if session.info.get(QUIET):
        return 0
    recipients = _recipients(session, n)
    params = {
        "kind": n.kind,
        "referral_id": n.referral_id,
        "case_id": n.case_id,
        "reference": n.reference,
    }
    for user_id in recipients:
        enqueue(session, TEMPLATE, params, user_id=user_id)
    if not recipients:
        log.warning("referral notification has no recipients: kind=%s", n.kind)
        record(
            session,
            "notification.failed",
            actor=n.actor,
            **_about(n.referral_id, n.case_id),
            outcome="failed",
            details={"kind": n.kind, "recipients": 0, "failed": 0, "error": "no_recipients"},
        )
    return len(recipients)


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
        queue(object_session(referral) or get_session(), notification)

    receive.__name__ = f"notify_{signal_kind}"
    return receive


on_sent = _receiver(SENT)
on_answered = _receiver(ANSWERED)
on_closed = _receiver("referral_closed")


# ---- rendering (at send time, in the recipient's language) ------------------------------------


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


def render(context: MailContext) -> RenderedMail | None:
    """The outbox renderer of :data:`TEMPLATE`."""
    params = context.params
    kind = str(params.get("kind"))
    if kind not in KINDS:
        return None
    referral_id = uuid.UUID(str(params["referral_id"]))
    case_id = uuid.UUID(str(params["case_id"]))
    path = referral_path(referral_id, case_id, for_provider=kind in TO_PROVIDER)
    link = context.settings.referrals.base_url.rstrip("/") + path
    subject, body = compose(kind, str(params["reference"]), link)
    return RenderedMail(subject, body)


def templates(_sender: object, **_extra: object) -> MailTemplates:
    """Receiver of ``core.signals.mail_templates_collecting``."""
    return MailTemplates({TEMPLATE: render})


def on_settled(
    _sender: object,
    session: Session,
    template: str,
    params: dict[str, Any],
    outcome: str,
    error: str | None = None,
    **_extra: Any,
) -> None:
    """Receiver of ``core.signals.outbox_message_settled``: audit each referral e-mail sent,
    or given up (a dead letter, or a recipient who can no longer receive it)."""
    if template != TEMPLATE:
        return
    about = _about(params.get("referral_id"), _uuid(params.get("case_id")))
    kind = params.get("kind")
    if outcome == "sent":
        record(session, "notification.sent", **about, details={"kind": kind, "recipients": 1})
        return
    record(
        session,
        "notification.failed",
        **about,
        outcome="failed",
        details={"kind": kind, "recipients": 1, "failed": 1, "error": error or outcome},
    )


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
