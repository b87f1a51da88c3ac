"""Feedback test helpers: a referral the provider accepted and completed, the survey's answers,
and closing a case directly (the closure pages are tested in casework)."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from casework.models import Case
from core.clock import utcnow
from referrals.models import Referral
from tests.factories import post_form
from tests.referrals.helpers import case_id_of, provider_post, send

COMMENT = "ZqFeedbackCommentQz the nurse listened"


def answers(**changes: str) -> dict[str, str]:
    data = {
        "respondent": "caseworker_with_person",
        "recorded_on": utcnow().date().isoformat(),
        "respect": "yes",
        "needs_met": "partly",
        "easy_to_reach": "no",
        "recommend": "yes",
        "overall": "4",
        "comment": COMMENT,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def completed_referral(client, provider_client, db: Session, case_url: str, service) -> Referral:
    """A referral sent by ``client``'s caseworker, accepted and completed by the provider."""
    referral = send(client, db, case_url, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    done = {"outcome": "Examined", "outcome_date": utcnow().date().isoformat()}
    assert provider_post(provider_client, referral, "complete", done).status_code == 302
    db.expire_all()
    return referral


def close_case(db: Session, case_url: str) -> uuid.UUID:
    case_id = case_id_of(case_url)
    db.execute(update(Case).where(Case.id == case_id).values(stage="closed"))
    db.commit()
    return case_id


def about_url(referral: Referral) -> str:
    return f"/referrals/{referral.id}/feedback"


def provider_url(referral: Referral) -> str:
    return f"/referrals/{referral.id}/provider-feedback"


def closure_url(case_url: str) -> str:
    return f"/cases/{case_id_of(case_url)}/feedback"


def record_about(client, referral: Referral, **changes: str):
    return post_form(client, about_url(referral), answers(**changes), token_from="/account")


def record_as_provider(client, referral: Referral, **changes: str):
    data = answers(respondent=None, **changes)  # type: ignore[arg-type]
    return post_form(client, provider_url(referral), data, token_from="/account")


def record_at_closure(client, case_url: str, **changes: str):
    return post_form(client, closure_url(case_url), answers(**changes), token_from="/account")
