"""Receivers of casework's signals that need no page of their own: consent withdrawn, the
referrals relying on a legal basis, plan actions carried out by referrals, and the template
global that writes a referral's date (connected by ``referrals.init_app``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.consent.dependencies import Dependent
from casework.consent.models import LegalBasisRecord
from casework.planning.links import ActionLink
from core.i18n.dates import format_local_date
from core.security import Actor
from referrals import reading, services, vocabulary
from referrals.models import Referral


def on_consent_withdrawn(
    basis: LegalBasisRecord, session: Session, actor: Actor, **_extra: Any
) -> None:
    services.cancel_for_withdrawn_basis(session, actor, basis)


def consent_dependents(basis: LegalBasisRecord, session: Session, **_extra: Any) -> list[Dependent]:
    """Referrals that rely on this legal basis, for the consent panel and withdrawal page (links
    and translated descriptions, built here while the page is: the receiver of
    ``casework.signals.consent_dependents_collecting``)."""
    return [
        Dependent(
            kind="referral",
            description=_(
                "Referral %(reference)s (%(state)s)",
                reference=r.reference,
                state=vocabulary.label(r.state, vocabulary.ReferralState),
            ),
            url=url_for("referrals.case_view", referral_id=r.id),
        )
        for r in reading.relying_on(session, basis)
    ]


def plan_action_links(
    _sender: None, session: Session, ids: Collection[uuid.UUID], **_extra: Any
) -> dict[uuid.UUID, ActionLink]:
    """Plan actions carried out by referrals show the reference and state, linked (the
    receiver of ``casework.signals.plan_action_links_collecting``)."""
    db = session
    rows = db.execute(
        select(Referral.id, Referral.reference, Referral.state).where(Referral.id.in_(ids))
    ).all()
    return {
        rid: ActionLink(
            _(
                "%(reference)s (%(state)s)",
                reference=reference,
                state=vocabulary.label(state, vocabulary.ReferralState),
            ),
            "referrals.case_view",
            {"referral_id": rid},
        )
        for rid, reference, state in rows
    }


def referral_date(value: date | None) -> str:
    return "" if value is None else format_local_date(value)
