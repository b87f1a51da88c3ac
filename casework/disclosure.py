"""How many times a user may learn which other organisation holds a possible duplicate.

The duplicate check itself is never limited: matches the user may open, matches in their own
organisation and checks that match nothing are answered every time. Only naming *another*
organisation is a disclosure; each is audited (``person.duplicate_disclosed``, organisation
ids only) and counted from the audit log, so the budget holds across processes and servers.
Once a user has had ``DUPLICATE_DISCLOSURE_LIMIT`` of them within
``DUPLICATE_DISCLOSURE_WINDOW_HOURS``, further ones are withheld (``person.duplicate_withheld``,
outcome ``denied``) and auditors see an alert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from audit import record
from audit.actions import DUPLICATE_DISCLOSED, DUPLICATE_WITHHELD
from audit.models import AuditEvent
from audit.queries import queued_events
from audit.services import APPEND_LOCK_TIMEOUT
from core.clock import utcnow
from core.config import Settings
from core.security import Actor
from core.settings_sections import CaseworkSettings
from core.sqlite_writer import take_write_lock


@dataclass(frozen=True)
class DisclosureBudget:
    limit: int = Settings.DUPLICATE_DISCLOSURE_LIMIT
    window_hours: int = Settings.DUPLICATE_DISCLOSURE_WINDOW_HOURS

    @classmethod
    def from_settings(cls, settings: CaseworkSettings) -> DisclosureBudget:
        """The budget the settings set (``HOMEWARD_DUPLICATE_DISCLOSURE_*``)."""
        return cls(settings.duplicate_disclosure_limit, settings.duplicate_disclosure_window_hours)


#: How far ``occurred_at`` (when ``record()`` was called) may run ahead of ``seq`` (the commit
#: order): longer than any transaction that records an event.
ORDER_SLACK = timedelta(hours=1)


def disclosures_in_window(db: Session, user_id: uuid.UUID, hours: int) -> int:
    """Cross-organisation disclosures this user had in the last ``hours``: those in the log,
    and those this transaction recorded that wait for its commit (read from the table without
    writing them, so the count takes no lock of the chain's)."""
    since = utcnow() - timedelta(hours=hours)
    # Bound the scan by sequence number, then use the actor's index. The bound is the last
    # event recorded more than ORDER_SLACK before the window (one row of the occurred_at
    # index): it was committed before any event of the window was recorded, so every one of
    # them comes after it in the chain. Not min(seq) WHERE occurred_at >= since: PostgreSQL
    # answers that by walking the seq index from the oldest event, filtering on the time,
    # through every event older than the window (millions).
    # Read on the connection: the session's query of the audit table would first append its
    # queued events, taking the chain's lock until the commit (``audit.services``).
    connection = db.connection()
    before = connection.execute(
        select(AuditEvent.seq)
        .where(AuditEvent.occurred_at < since - ORDER_SLACK)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    ).scalar()
    count = connection.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_user_id == user_id,
            AuditEvent.seq > (before or 0),
            AuditEvent.action == DUPLICATE_DISCLOSED,
            AuditEvent.occurred_at >= since,
        )
    ).scalar()
    queued = sum(
        1
        for event in queued_events(db)
        if event.action == DUPLICATE_DISCLOSED
        and event.actor_user_id == user_id
        and event.occurred_at >= since
    )
    return int(count or 0) + queued


#: The PostgreSQL advisory locks of one user's disclosures are (this, a hash of the user id):
#: the two-key form, whose keys never meet the audit chain's one-key lock.
USER_LOCK_NAMESPACE = 0x44697363  # "Disc"
_PREVIOUS_TIMEOUT = text("SELECT current_setting('lock_timeout')")
_LOCK_USER = text(
    "SELECT set_config('lock_timeout', :wait, true), "
    "pg_advisory_xact_lock(CAST(:namespace AS integer), hashtext(:user)), "
    "set_config('lock_timeout', :previous, true)"
)


def lock_user(db: Session, user_id: uuid.UUID) -> None:
    """Serialise this user's disclosure decisions until the transaction ends: two requests of
    the same user, in any process, cannot both spend the last disclosure, and no other user
    waits (users whose ids hash alike share a lock: they wait for each other's check, no
    more). Not the audit chain's lock, which every commit takes: held from a duplicate check
    to the commit, it made every other request wait, and a registration holding the case
    number counter's row wait for it in turn (a deadlock, seen under load). The wait is
    bounded as the chain's is (``APPEND_LOCK_TIMEOUT``), and the transaction's own bound is
    put back once the lock is granted (the counter's row, later, waits as it always did).

    Lock order: this lock comes before the case number counter's row and before the chain's
    lock, so a transaction must not append its audit queue (``lock_chain``,
    ``flush_pending``, a session query of the audit table after a write was recorded) before
    its duplicate check: the registration routes check first. SQLite: its one writer
    (:func:`core.sqlite_writer.take_write_lock`)."""
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        take_write_lock(connection)
        return
    previous = connection.execute(_PREVIOUS_TIMEOUT).scalar_one()
    connection.execute(
        _LOCK_USER,
        {
            "wait": APPEND_LOCK_TIMEOUT,
            "namespace": USER_LOCK_NAMESPACE,
            "user": str(user_id),
            "previous": previous,
        },
    )


def withheld_now(db: Session, actor: Actor, budget: DisclosureBudget) -> bool:
    """Whether the actor's disclosures are used up for now (a check naming no other
    organisation still says so). Takes the user's lock as :func:`may_disclose` does, so a
    registration takes it before the case number counter's row, whichever check comes first."""
    lock_user(db, actor.user_id)
    return disclosures_in_window(db, actor.user_id, budget.window_hours) >= budget.limit


def may_disclose(
    db: Session, actor: Actor, organisation_ids: list[uuid.UUID], budget: DisclosureBudget
) -> bool:
    """Whether the actor may be told these other organisations hold a match; audited either way.

    Takes the user's lock first (:func:`lock_user`), so two requests of the same user, in any
    process, cannot both spend the last disclosure: the second counts once the first has
    committed its disclosure (or rolled back).
    """
    ids = sorted(str(i) for i in organisation_ids)
    if withheld_now(db, actor, budget):
        record(
            db,
            DUPLICATE_WITHHELD,
            actor=actor,
            object_type="person",
            outcome="denied",
            details={"organisation_ids": ids, "limit": budget.limit},
        )
        return False
    record(
        db,
        DUPLICATE_DISCLOSED,
        actor=actor,
        object_type="person",
        details={"organisation_ids": ids},
    )
    return True
