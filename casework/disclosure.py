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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import record
from audit.actions import DUPLICATE_DISCLOSED, DUPLICATE_WITHHELD
from audit.models import AuditEvent
from audit.services import lock_chain
from core.clock import utcnow
from core.config import Settings
from core.security import Actor
from core.settings_sections import CaseworkSettings


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
    """Cross-organisation disclosures this user had in the last ``hours`` (from the log)."""
    since = utcnow() - timedelta(hours=hours)
    # Bound the scan by sequence number, then use the actor's index. The bound is the last
    # event recorded more than ORDER_SLACK before the window (one row of the occurred_at
    # index): it was committed before any event of the window was recorded, so every one of
    # them comes after it in the chain. Not min(seq) WHERE occurred_at >= since: PostgreSQL
    # answers that by walking the seq index from the oldest event, filtering on the time,
    # through every event older than the window (millions).
    before = db.scalar(
        select(AuditEvent.seq)
        .where(AuditEvent.occurred_at < since - ORDER_SLACK)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    )
    count = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_user_id == user_id,
            AuditEvent.seq > (before or 0),
            AuditEvent.action == DUPLICATE_DISCLOSED,
            AuditEvent.occurred_at >= since,
        )
    )
    return int(count or 0)


def may_disclose(
    db: Session, actor: Actor, organisation_ids: list[uuid.UUID], budget: DisclosureBudget
) -> bool:
    """Whether the actor may be told these other organisations hold a match; audited either way.

    Takes the audit chain's lock first (every append takes it anyway), so two requests of the
    same user, in any process, cannot both spend the last disclosure.
    """
    ids = sorted(str(i) for i in organisation_ids)
    lock_chain(db)
    if disclosures_in_window(db, actor.user_id, budget.window_hours) >= budget.limit:
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
