"""Emergency ("break-the-glass") access: open one case outside one's scope, for a short time.

A caseworker or supervisor types a reason; the grant lasts HOMEWARD_EMERGENCY_ACCESS_MINUTES
(default 60), covers exactly that case, is recorded as ``case.emergency_access`` (which the
auditor's alerts list) and shows a banner on the case while it lasts. It only reads (loading
refuses every write under a grant) and stays inside the user's organisation unless
HOMEWARD_EMERGENCY_ACCESS_ACROSS_ORGANISATIONS is on; never into a case transferred away from it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import actions, record
from audit.references import EmergencyReason
from casework.models import Case, CaseTransfer, EmergencyAccess
from casework.services import CaseworkError
from casework.transfers import ACCEPTED
from core.clock import utcnow
from core.crypto import SubjectErasedError
from core.permissions import Permission
from core.security import Actor

MIN_REASON = 15


def transferred_away(db: Session, case: Case, organisation_id: uuid.UUID | None) -> bool:
    """The case was transferred from ``organisation_id`` and is held elsewhere now."""
    if organisation_id is None or case.organisation_id == organisation_id:
        return False
    moved = select(CaseTransfer.id).where(
        CaseTransfer.case_id == case.id,
        CaseTransfer.from_organisation_id == organisation_id,
        CaseTransfer.status == ACCEPTED,
    )
    return db.scalar(moved.limit(1)) is not None


def refusal(
    db: Session, actor: Actor, case: Case, *, across_organisations: bool = False
) -> str | None:
    """Why the actor may not open this case by emergency access (an audit reason), or None."""
    if not actor.can(Permission.CASE_EMERGENCY_ACCESS) or actor.organisation_id is None:
        return "role"
    if case.organisation_id == actor.organisation_id:
        return None
    if transferred_away(db, case, actor.organisation_id):
        return "transferred_away"
    return None if across_organisations else "other_organisation"


def active_grant(
    db: Session, actor: Actor, case: Case, *, across_organisations: bool = False
) -> EmergencyAccess | None:
    """The actor's unexpired emergency grant for this case, if any (and still allowed)."""
    if refusal(db, actor, case, across_organisations=across_organisations) is not None:
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


def grant(
    db: Session,
    actor: Actor,
    case: Case,
    reason: str,
    minutes: int,
    *,
    across_organisations: bool = False,
) -> EmergencyAccess:
    """Open the case for ``minutes``; raises CaseworkError for a missing or too short reason,
    or when :func:`refusal` forbids it (the route denies those first, audited)."""
    if refusal(db, actor, case, across_organisations=across_organisations) is not None:
        raise CaseworkError("Emergency access is not available for this case.")
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
        actions.EMERGENCY_ACCESS,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"grant_id": str(access.id), "minutes": minutes},
    )
    return access


def reason_for_auditors(
    _sender: None, session: Session, grant_id: uuid.UUID, **_extra: object
) -> EmergencyReason | None:
    """The case and typed reason of a grant, for the audit workspace (nothing else of anyone):
    the receiver of ``audit.signals.emergency_reason_reading``."""
    access = session.get(EmergencyAccess, grant_id)
    if access is None:
        return None
    try:
        reason = access.reason
    except SubjectErasedError:
        reason = None
    return EmergencyReason(case_id=access.case_id, reason=reason)
