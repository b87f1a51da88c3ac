"""The two-person decision: a request one person makes and another of the same organisation decides.

Closure and erasure are both built from this: :class:`PendingDecision` gives the columns, the
"one pending" index comes from :func:`one_pending_index`, :func:`second_person` is who may
decide one row and :func:`waiting_for` the same rule in SQL (keep the two together),
:func:`decide` records a decision and loses a race cleanly, :func:`end_waiting` closes the
rows still waiting when the world changed under them (a transfer, an erasure).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, ForeignKey, Index, String, and_, false, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from core.clock import utcnow
from core.db import UUIDPrimaryKey
from core.exceptions import ConflictError
from core.permissions import Permission
from core.security import Actor

PENDING = "pending"


class PendingDecision(UUIDPrimaryKey):
    """Mixin: the columns of a request waiting for a second person's decision."""

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]


Row = TypeVar("Row", bound=PendingDecision)


def one_pending_index(name: str, column: str) -> Index:
    """A partial unique index: one pending row per ``column``, even when two are made at the
    same moment (the second insert fails and the service says one is waiting already)."""
    return Index(
        name,
        column,
        unique=True,
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    )


def second_person(
    actor: Actor, permission: Permission, organisation_id: uuid.UUID, requested_by_id: uuid.UUID
) -> bool:
    """The four-eyes rule of approvals: someone of the organisation that made the request, with
    the permission to decide it, who is not the person who asked (closure, erasure).

    :func:`waiting_for` is the same rule in SQL: change both or neither."""
    return (
        actor.can(permission)
        and actor.organisation_id == organisation_id
        and actor.user_id != requested_by_id
    )


def may_decide_any(actor: Actor, permission: Permission) -> bool:
    """Whether any pending row may be the actor's to decide under ``permission``: when not,
    :func:`waiting_for` is SQL's false, and a list of what waits need not ask the database."""
    return actor.can(permission) and actor.organisation_id is not None


def waiting_for(
    actor: Actor, permission: Permission, model: type[PendingDecision]
) -> ColumnElement[bool]:
    """The pending rows of ``model`` that :func:`second_person` lets the actor decide."""
    if not may_decide_any(actor, permission):
        return false()
    return and_(
        model.status == PENDING,
        model.organisation_id == actor.organisation_id,
        model.requested_by_id != actor.user_id,
    )


def decide(session: Session, row: PendingDecision, actor: Actor, to_status: str) -> None:
    """Record the actor's decision, unless someone decided first: then ConflictError.

    One conditional UPDATE (``WHERE status = 'pending'``): of two decisions at the same time
    the database lets one change the row and the other finds nothing left to change.
    """
    model = type(row)
    decided_at = utcnow()
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.status == PENDING)
        .values(status=to_status, decided_by_id=actor.user_id, decided_at=decided_at)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ConflictError("the request has been decided already")
    set_committed_value(row, "status", to_status)
    set_committed_value(row, "decided_by_id", actor.user_id)
    set_committed_value(row, "decided_at", decided_at)


def end_waiting(
    session: Session,
    model: type[Row],
    where: Iterable[ColumnElement[bool]],
    actor: Actor | None,
    to_status: str,
    audit: Callable[[Row], None],
) -> None:
    """Close the pending rows of ``model`` matching ``where`` with ``to_status`` (decided by the
    actor, or nobody), calling ``audit`` for each: the caller records its own audit event.

    The rows are locked first, so a decision made meanwhile is seen, not overwritten.
    """
    for row in session.scalars(
        select(model).where(model.status == PENDING, *where).with_for_update()
    ):
        row.status = to_status
        row.decided_by_id = actor.user_id if actor else None
        row.decided_at = utcnow()
        session.flush()
        audit(row)
