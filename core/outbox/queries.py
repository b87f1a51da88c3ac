"""Reads on the outbox: counts per state, the dead letters, the status figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.outbox.models import OutboxMessage, OutboxState
from core.signals import StatusFigure


def counts(db: Session) -> dict[str, int]:
    """How many messages are in each state (every state listed, zero included)."""
    rows = db.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    found: dict[str, int] = {state: count for state, count in rows}
    return {state.value: int(found.get(state.value, 0)) for state in OutboxState}


@dataclass(frozen=True)
class DeadLetter:
    """What the administrator's page shows of a dead letter: no address, no text."""

    id: Any
    template: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime


def dead_letters(db: Session, limit: int = 200) -> list[DeadLetter]:
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.DEAD.value)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(limit)
    )
    return [
        DeadLetter(m.id, m.template, m.attempts, m.last_error, m.created_at, m.next_attempt_at)
        for m in rows
    ]


def backlog_figure(_sender: object, session: Session, **_extra: object) -> StatusFigure:
    """Receiver of ``core.signals.status_figures_collecting``: the outbox backlog."""
    return StatusFigure(
        "homeward_outbox_pending",
        counts(session)[OutboxState.PENDING.value],
        "E-mails waiting in the outbox (not yet accepted by the SMTP server).",
    )


def dead_letter_figure(_sender: object, session: Session, **_extra: object) -> StatusFigure:
    """Receiver of ``core.signals.status_figures_collecting``: the dead letters."""
    return StatusFigure(
        "homeward_outbox_dead",
        counts(session)[OutboxState.DEAD.value],
        "E-mails given up after the last attempt (dead letters), until retried or discarded.",
    )
