"""Loading a referral for one side (the referring case team or the provider): authorised for
that side, and expired first when its deadline has passed unanswered, so every page shows its
true state."""

from __future__ import annotations

import uuid

from flask import abort

from casework.models import Case
from core.db import get_session
from core.security import require_actor
from referrals import policy, reading, services
from referrals.models import Referral


def load_referral(referral_id: uuid.UUID, *, provider: bool = False) -> tuple[Referral, Case]:
    """The referral and its case for the signed-in actor on the referring side (or, with
    ``provider``, the provider's side); 404, audited as a denial, for anyone else."""
    db = get_session()
    actor = require_actor()
    referral = reading.get_referral(db, referral_id)
    if referral is None:
        abort(404)
    case = db.get(Case, referral.case_id)
    if case is None:  # pragma: no cover - the foreign key forbids it
        abort(404)
    if provider:
        policy.authorize_respond(actor, referral)
    else:
        policy.authorize_referring_side(actor, referral, case)
    services.expire_if_due(db, referral)
    return referral, case
