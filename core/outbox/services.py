"""Writes on the outbox: enqueue (in the caller's transaction) and the administrator's
retry and discard. Each flushes only; the request or command commits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.commands import QUIET
from core.exceptions import ConflictError, ServiceError
from core.outbox.models import OutboxMessage, OutboxState
from core.signals import outbox_administered, outbox_message_settled

#: What a parameter value may look like: an id, a code, a reference number. No spaces and no
#: ``@``, so names, free text and e-mail addresses are refused.
_PARAM_TEXT = re.compile(r"[A-Za-z0-9_.:\-]{0,80}")
_PARAM_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TEMPLATE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


class OutboxError(ServiceError):
    """An outbox message cannot be changed that way."""


class OutboxConflict(ConflictError):
    """The message changed meanwhile (sent, retried or discarded by someone else)."""


def _checked(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as stored; raises ValueError on anything that could be personal."""
    checked: dict[str, Any] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not _PARAM_KEY.fullmatch(key):
            raise ValueError("outbox parameter keys are lower-case names")
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, str):
            if not _PARAM_TEXT.fullmatch(value):
                raise ValueError(f"outbox parameters hold ids and codes only (key {key!r})")
        elif value is not None and not isinstance(value, bool | int):
            raise ValueError(f"outbox parameters cannot hold a {type(value).__name__}")
        checked[key] = value
    return checked


def enqueue(
    session: Session,
    template: str,
    params: Mapping[str, Any],
    *,
    user_id: uuid.UUID | None = None,
    address: str | None = None,
    locale: str | None = None,
) -> OutboxMessage | None:
    """Add one e-mail to the outbox in ``session``'s transaction: it is sent once that
    commits, and never if it rolls back. Give the recipient's ``user_id``; ``address`` (and
    ``locale``) only for someone without an account. Quiet sessions (demo data) send nothing.
    """
    if session.info.get(QUIET):
        return None
    if not _TEMPLATE.fullmatch(template):
        raise ValueError("an outbox template key is a dotted lower-case name")
    if (user_id is None) == (address is None):
        raise ValueError("give either a user id or an address")
    now = utcnow()
    message = OutboxMessage(
        id=uuid.uuid4(),
        template=template,
        params=_checked(params),
        user_id=user_id,
        address=address,
        locale=locale,
        state=OutboxState.PENDING.value,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message


def _settle_by_admin(
    session: Session, message_id: uuid.UUID, values: dict[str, Any]
) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise OutboxError("There is no such message.")
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.state == OutboxState.DEAD.value,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise OutboxConflict("This message is no longer a dead letter.")
    session.refresh(message)
    return message


def _announce(session: Session, action: str, message: OutboxMessage) -> None:
    """Audit listens (ids and the template key, never the address)."""
    outbox_administered.send(
        None, session=session, action=action, message_id=message.id, template=message.template
    )


def retry(session: Session, message_id: uuid.UUID) -> OutboxMessage:
    """Give a dead letter a fresh set of attempts, from now (audited)."""
    message = _settle_by_admin(
        session,
        message_id,
        {
            "state": OutboxState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": utcnow(),
            "claim": None,
            "lease_until": None,
        },
    )
    _announce(session, "retried", message)
    return message


def discard(session: Session, message_id: uuid.UUID) -> OutboxMessage:
    """Give a dead letter up for good (it stays counted as discarded; audited)."""
    message = _settle_by_admin(
        session,
        message_id,
        {"state": OutboxState.DISCARDED.value, "last_error": "discarded_by_administrator"},
    )
    _announce(session, "discarded", message)
    return message


def discard_waiting(
    session: Session, user_id: uuid.UUID, reason: str, templates: Collection[str] | None = None
) -> int:
    """Discard the messages still waiting for ``user_id`` (pending or dead; of ``templates``,
    or all): the account was shut, or a new message replaces them, and a link queued before
    must not be issued later. Returns how many were discarded."""
    stmt = select(OutboxMessage).where(
        OutboxMessage.user_id == user_id,
        OutboxMessage.state.in_([OutboxState.PENDING.value, OutboxState.DEAD.value]),
    )
    if templates is not None:
        stmt = stmt.where(OutboxMessage.template.in_(list(templates)))
    waiting = session.scalars(stmt.with_for_update()).all()
    for message in waiting:
        message.state = OutboxState.DISCARDED.value
        message.last_error = reason
        message.lease_until = None
    session.flush()
    for message in waiting:
        outbox_message_settled.send(
            None,
            session=session,
            template=message.template,
            params=dict(message.params),
            outcome=OutboxState.DISCARDED.value,
            error=reason,
        )
    return len(waiting)
