"""``homeward outbox send``: claim a due message, render it in the recipient's language,
hand it to SMTP, mark it sent; on failure retry with exponential backoff, then dead-letter.

Each step is its own short transaction, and no transaction is open while SMTP is talked to:

1. **claim**: the oldest due row (pending, ``next_attempt_at`` passed, no live lease) gets a
   fresh ``claim`` id, ``lease_until`` and one more attempt. PostgreSQL selects it ``FOR
   UPDATE SKIP LOCKED``, so parallel senders take different rows; on SQLite the read takes
   the write lock first (``core.sqlite_writer``), which serialises the claims.
2. **render**: the recipient and the text, inside ``force_locale`` (a renderer may write,
   e.g. issue the link token an invitation carries; that commits here).
3. **send**: SMTP, with ``Message-ID: <outbox.<row id>@<domain>>``, the same on every attempt.
4. **mark**: sent right after the server accepted, conditional on the claim still being
   ours. A process that dies between 3 and 4 leaves the row claimed: once the lease ends it
   is sent again, with the same Message-ID (the one window left; see the README).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.config import Settings
from core.db import Database
from core.mail import send_mail
from core.outbox.models import OutboxMessage, OutboxState
from core.outbox.rendering import (
    MailContext,
    MailRecipient,
    MailTemplates,
    RenderedMail,
    Renderer,
)
from core.signals import (
    collect,
    mail_recipient_asking,
    mail_templates_collecting,
    outbox_message_settled,
)

log = logging.getLogger("homeward.outbox")

#: Outcomes of one attempt (``send_next`` returns one, or None when nothing was due).
SENT, FAILED, DEAD, DISCARDED, LOST = "sent", "failed", "dead", "discarded", "lost"


@dataclass(frozen=True)
class Claim:
    message_id: uuid.UUID
    claim: uuid.UUID


@dataclass(frozen=True)
class Prepared:
    recipient: MailRecipient
    locale: str
    mail: RenderedMail


def templates() -> dict[str, Renderer]:
    """Every package's renderers, by template key."""
    found: dict[str, Renderer] = {}
    for answer in collect(mail_templates_collecting, None, MailTemplates):
        found.update(answer.renderers)
    return found


def message_id_header(message_id: uuid.UUID, mail_from: str) -> str:
    """The Message-ID of every attempt at one row: a resend is recognisable as the same."""
    domain = mail_from.rpartition("@")[2].strip(" >") or "homeward.invalid"
    return f"<outbox.{message_id}@{domain}>"


def _due(now: datetime) -> Select[uuid.UUID, int]:
    return (
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(
            OutboxMessage.state == OutboxState.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )


def _abandon(db: Session, message_id: uuid.UUID) -> None:
    """Every attempt was used by senders that never finished (they died): a dead letter."""
    message = db.get(OutboxMessage, message_id)
    assert message is not None
    message.state = OutboxState.DEAD.value
    message.last_error = "attempt_abandoned"
    message.lease_until = None
    db.flush()
    _settled(db, message, DEAD, message.last_error)
    log.error("outbox message %s is a dead letter: attempt_abandoned", message_id)


def claim_next(database: Database, settings: Settings) -> Claim | None:
    """Claim the oldest due message for this sender (see the module docstring, step 1)."""
    with database.session_scope() as db:
        now = utcnow()
        stmt = _due(now)
        # SQLite: FOR UPDATE takes the write lock before the read (core.sqlite_writer).
        stmt = stmt.with_for_update(skip_locked=db.get_bind().dialect.name == "postgresql")
        while (row := db.execute(stmt).first()) is not None:
            message_id, attempts = row
            if attempts < settings.outbox.max_attempts:
                break
            _abandon(db, message_id)
        else:
            return None
        claim = uuid.uuid4()
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                claim=claim,
                lease_until=now + settings.outbox.lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return Claim(message_id, claim)


def _claimed(db: Session, claim: Claim) -> OutboxMessage | None:
    """The message while this claim still holds it (else another sender took it over)."""
    message = db.get(OutboxMessage, claim.message_id)
    if message is None or message.claim != claim.claim:
        return None
    if message.state != OutboxState.PENDING.value:
        return None
    return message


def _settled(db: Session, message: OutboxMessage, outcome: str, error: str | None) -> None:
    outbox_message_settled.send(
        None,
        session=db,
        template=message.template,
        params=dict(message.params),
        outcome=outcome,
        error=error,
    )


def _recipient(db: Session, message: OutboxMessage) -> MailRecipient | None:
    if message.user_id is None:
        return MailRecipient(message.address or "", message.locale)
    found = collect(mail_recipient_asking, None, MailRecipient, session=db, user_id=message.user_id)
    return found[0] if found else None


def _discard(db: Session, message: OutboxMessage, reason: str) -> None:
    message.state = OutboxState.DISCARDED.value
    message.last_error = reason
    message.lease_until = None
    db.flush()
    _settled(db, message, DISCARDED, reason)


def prepare(
    database: Database, settings: Settings, renderers: Mapping[str, Renderer], claim: Claim
) -> Prepared | str:
    """Step 2: the recipient and the rendered text, or the outcome when there is nothing to
    send (lost claim, recipient gone, message no longer applies)."""
    with database.session_scope() as db:
        message = _claimed(db, claim)
        if message is None:
            return LOST
        recipient = _recipient(db, message)
        if recipient is None or not recipient.address:
            _discard(db, message, "no_recipient")
            return DISCARDED
        renderer = renderers.get(message.template)
        if renderer is None:
            raise LookupError("unknown outbox template")
        locale = recipient.locale or settings.outbox.default_locale
        context = MailContext(
            db, message.user_id, dict(message.params), message.created_at, settings
        )
        with force_locale(locale):
            rendered = renderer(context)
        if rendered is None:
            _discard(db, message, "not_applicable")
            return DISCARDED
        return Prepared(recipient, locale, rendered)


def mark_sent(database: Database, claim: Claim) -> bool:
    """Step 4: sent, if the claim still holds (False: another sender took the row over)."""
    with database.session_scope() as db:
        result = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claim.message_id,
                OutboxMessage.claim == claim.claim,
                OutboxMessage.state == OutboxState.PENDING.value,
            )
            .values(state=OutboxState.SENT.value, sent_at=utcnow(), lease_until=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("outbox message %s was sent but its claim had lapsed", claim.message_id)
            return False
        message = db.get(OutboxMessage, claim.message_id)
        assert message is not None
        _settled(db, message, SENT, None)
        return True


def mark_failed(database: Database, settings: Settings, claim: Claim, error: str) -> str:
    """A failed attempt: retry after a doubling wait, or dead-letter after the last."""
    with database.session_scope() as db:
        message = _claimed(db, claim)
        if message is None:
            return LOST
        message.last_error = error[:64]
        message.lease_until = None
        if message.attempts >= settings.outbox.max_attempts:
            message.state = OutboxState.DEAD.value
            db.flush()
            _settled(db, message, DEAD, message.last_error)
            log.error("outbox message %s is a dead letter: %s", message.id, message.last_error)
            return DEAD
        message.next_attempt_at = utcnow() + settings.outbox.retry_delay(message.attempts)
        log.warning("outbox message %s not sent (%s); will retry", message.id, message.last_error)
        return FAILED


def deliver(
    database: Database, settings: Settings, renderers: Mapping[str, Renderer], claim: Claim
) -> str:
    """Steps 2 to 4 for one claimed message; returns its outcome."""
    try:
        prepared = prepare(database, settings, renderers, claim)
    except Exception as exc:  # a renderer's fault must not stop the sender
        return mark_failed(database, settings, claim, type(exc).__name__)
    if isinstance(prepared, str):
        return prepared
    try:
        send_mail(
            settings.mail,
            prepared.recipient.address,
            prepared.mail.subject,
            prepared.mail.body,
            message_id=message_id_header(claim.message_id, settings.MAIL_FROM),
            language=prepared.locale,
        )
    except Exception as exc:  # smtplib's errors are OSErrors; a bad header is a ValueError
        return mark_failed(database, settings, claim, type(exc).__name__)
    mark_sent(database, claim)
    return SENT


def send_next(
    database: Database, settings: Settings, renderers: Mapping[str, Renderer]
) -> str | None:
    """Claim and deliver one due message; None when none is due."""
    claim = claim_next(database, settings)
    if claim is None:
        return None
    return deliver(database, settings, renderers, claim)


def send_due(database: Database, settings: Settings, limit: int = 1000) -> dict[str, int]:
    """Send what is due now (at most ``limit`` attempts); returns the count per outcome."""
    renderers = templates()
    counts: dict[str, int] = {}
    for _ in range(limit):
        outcome = send_next(database, settings, renderers)
        if outcome is None:
            break
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
