"""The outbox: one row per e-mail to send, written in the transaction of the change that
causes it (:func:`core.outbox.services.enqueue`), sent later by ``homeward outbox send``.

A row holds the recipient (a user id; an address only where there is no account yet), a
template key and non-personal parameters (ids, codes, numbers). Never the rendered text:
the sender renders it at send time, in the recipient's language.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UUIDPrimaryKey


class OutboxState(StrEnum):
    #: Waiting to be sent (or to be retried, from ``next_attempt_at``).
    PENDING = "pending"
    #: The SMTP server accepted it.
    SENT = "sent"
    #: Given up after ``HOMEWARD_OUTBOX_MAX_ATTEMPTS`` attempts: a dead letter.
    DEAD = "dead"
    #: Not sent: the recipient can no longer receive it, or an administrator discarded it.
    DISCARDED = "discarded"


class OutboxMessage(UUIDPrimaryKey, Base):
    """One e-mail to one recipient. ``claim`` and ``lease_until`` belong to the sender that
    is working on it; after the lease another sender may take it over."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR address IS NOT NULL", name="recipient"),
        Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),
    )

    template: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    #: Only for a recipient without an account; never written to logs.
    address: Mapped[str | None] = mapped_column(String(254))
    #: The language of an address-only recipient (an account's own language wins).
    locale: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claim: Mapped[uuid.UUID | None]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: The class of the last error (``SMTPRecipientsRefused``) or a reason code; no text.
    last_error: Mapped[str | None] = mapped_column(String(64))
