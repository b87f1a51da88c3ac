"""Who may see and change which referral. Checked on the server for every request.

- The referring side: a caseworker or supervisor who may open the referral's case (casework
  policy) sees the whole referral and its feedback; the referrer, or a supervisor of the
  referring organisation, may cancel it until it is completed.
- The provider: staff of the organisation it is addressed to see the shared fields while it
  is sent or accepted; afterwards (completed, not completed, declined, expired, cancelled) only
  its reference, state and feedback. They answer it.
- Anyone else gets 404, audited as a denial, so a referral's existence is not revealed.
"""

from __future__ import annotations

import uuid
from typing import NoReturn

from sqlalchemy.orm import Session

from casework import policy as case_policy
from casework.consent.models import LegalBasisRecord
from casework.models import Case
from core.permissions import Permission, Role
from core.security import Actor, conceal, deny
from referrals.models import Referral
from referrals.vocabulary import OPEN_STATES, ReferralState

# The provider sees the shared fields while the work is open (OPEN_STATES); once it is completed
# or not completed they keep the reference, state and their own feedback, not the person's data
# (which would otherwise follow every later correction of the person's record).


def hide(referral_id: uuid.UUID, permission: Permission | None, reason: str) -> NoReturn:
    """404 after announcing the refusal (audit records it as a denial)."""
    conceal(permission, reason, object_type="referral", object_id=referral_id)


def is_provider_of(actor: Actor, referral: Referral) -> bool:
    return (
        actor.can(Permission.REFERRAL_RESPOND)
        and actor.organisation_id is not None
        and referral.provider_organisation_id == actor.organisation_id
    )


def may_refer(actor: Actor, case: Case) -> bool:
    """Holds the case in their own right (not under emergency access) and may send referrals."""
    return actor.can(Permission.REFERRAL_SEND) and case_policy.can_view_case(actor, case)


def is_referring_side(actor: Actor, referral: Referral, case: Case) -> bool:
    return may_refer(actor, case)


def provider_sees_fields(db: Session, referral: Referral) -> bool:
    """Open with the provider, and the legal basis it relied on still in force."""
    if ReferralState(referral.state) not in OPEN_STATES:
        return False
    if referral.legal_basis_id is None:
        return True
    basis = db.get(LegalBasisRecord, referral.legal_basis_id)
    return basis is not None and basis.active


def can_cancel(actor: Actor, referral: Referral, case: Case) -> bool:
    if not is_referring_side(actor, referral, case):
        return False
    if ReferralState(referral.state) not in OPEN_STATES:
        return False
    if referral.referrer_id == actor.user_id:
        return True
    # A supervisor of the referring organisation, or of the organisation that holds the case
    # now (after a transfer nobody at the referring side can open it any more).
    return actor.role is Role.SUPERVISOR and actor.organisation_id in {
        referral.referring_organisation_id,
        case.organisation_id,
    }


def authorize_cancel(actor: Actor, referral: Referral, case: Case) -> bool:
    """True when the actor may cancel the referral now, False when it is closed already; an
    open referral that is not the actor's to cancel is refused (403, audited)."""
    if can_cancel(actor, referral, case):
        return True
    if ReferralState(referral.state) in OPEN_STATES:
        deny(
            Permission.REFERRAL_SEND,
            "not_referrer",
            object_type="referral",
            object_id=referral.id,
            case_id=case.id,
        )
    return False


def authorize_respond(actor: Actor, referral: Referral) -> None:
    if not is_provider_of(actor, referral):
        hide(referral.id, Permission.REFERRAL_RESPOND, "not_addressee")


def authorize_referring_side(actor: Actor, referral: Referral, case: Case) -> None:
    """404 (audited) unless the actor may open the referral's case (and send referrals)."""
    if not is_referring_side(actor, referral, case):
        hide(referral.id, Permission.REFERRAL_SEND, "not_party")
