"""Emergency ("break-the-glass") access: open one case outside one's scope, for a short time.

A caseworker or supervisor types a reason; the grant lasts HOMEWARD_EMERGENCY_ACCESS_MINUTES
(default 60), covers exactly that case, is recorded as ``case.emergency_access`` (which the
auditor's alerts list) and shows a banner on the case while it lasts.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from audit.references import EmergencyReason
from casework.models import Case, EmergencyAccess
from casework.services import CaseworkError
from core.clock import utcnow
from core.crypto import SubjectErasedError
from core.permissions import Permission
from core.security import Actor

MIN_REASON = 15


def active_grant(db: Session, actor: Actor, case: Case) -> EmergencyAccess | None:
    """The actor's unexpired emergency grant for this case, if any."""
    if not actor.can(Permission.CASE_EMERGENCY_ACCESS):
        return None
    return db.scalar(
        select(EmergencyAccess)
        .where(
            EmergencyAccess.user_id == actor.user_id,
            EmergencyAccess.case_id == case.id,
            EmergencyAccess.expires_at > utcnow(),
        )
        .order_by(EmergencyAccess.expires_at.desc())
        .limit(1)
    )


def grant(db: Session, actor: Actor, case: Case, reason: str, minutes: int) -> EmergencyAccess:
    """Open the case for ``minutes``; raises CaseworkError for a missing or too short reason."""
    if case.person.erased_at is not None:  # nothing to open, nothing to encrypt the reason for
        raise CaseworkError("This person's data has been erased; there is nothing to open.")
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise CaseworkError(
            "Explain the emergency in a sentence (at least 15 characters).", "reason"
        )
    now = utcnow()
    access = EmergencyAccess(
        id=uuid.uuid4(),
        user_id=actor.user_id,
        case_id=case.id,
        person_id=case.person_id,
        reason=reason[:500],
        granted_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    db.add(access)
    db.flush()
    record(
        db,
        "case.emergency_access",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"grant_id": str(access.id), "minutes": minutes},
    )
    return access


def reason_for_auditors(db: Session, grant_id: uuid.UUID) -> EmergencyReason | None:
    """The case and typed reason of a grant, for the audit workspace (nothing else of anyone)."""
    access = db.get(EmergencyAccess, grant_id)
    if access is None:
        return None
    try:
        reason = access.reason
    except SubjectErasedError:
        reason = None
    return EmergencyReason(case_id=access.case_id, reason=reason)
