"""The referrals blueprint and what its route modules share: loading a referral, and putting a
service's refusal next to the field it concerns."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort

from casework.models import Case
from core.db import get_session
from referrals import reading
from referrals.models import Referral

blueprint = Blueprint("referrals", __name__, url_prefix="/referrals", cli_group="referrals")


def load_referral(referral_id: uuid.UUID) -> tuple[Referral, Case]:
    db = get_session()
    referral = reading.get_referral(db, referral_id)
    if referral is None:
        abort(404)
    case = db.get(Case, referral.case_id)
    if case is None:  # pragma: no cover - the foreign key forbids it
        abort(404)
    return referral, case
