"""Follow-through on referrals, the writes: acknowledging an expired referral."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit import record
from core.exceptions import ServiceError
from core.security import Actor
from referrals.followup.models import ReferralAcknowledgement
from referrals.models import Referral
from referrals.vocabulary import ReferralState

_EXPIRED = ReferralState.EXPIRED.value


class FollowupError(ServiceError):
    """The action is not possible in the referral's state (the message is for the user)."""


def acknowledge_expired(db: Session, actor: Actor, referral: Referral) -> None:
    """Take an expired referral off the overdue lists; raises FollowupError unless expired."""
    if referral.state != _EXPIRED:
        raise FollowupError("only an expired referral is acknowledged")
    if db.get(ReferralAcknowledgement, referral.id) is not None:
        return
    db.add(ReferralAcknowledgement(referral_id=referral.id, acknowledged_by_id=actor.user_id))
    db.flush()
    record(
        db,
        "referral.acknowledged",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        case_id=referral.case_id,
        details={"state": referral.state},
    )
