"""Referral rows made directly (the referral pages are another branch's): people, cases,
directory services and referrals in any state, with distinctive values in every encrypted
attribute so tests can prove none of them leaks."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import Organisation
from casework.models import Case, Person
from core.clock import utcnow
from core.crypto import encrypted_attributes
from referrals.directory.models import DirectoryOrganization, Service
from referrals.models import Referral, ReferralEvent
from referrals.vocabulary import ReferralState

_counter = itertools.count(1)


def secret_value(model: type, name: str, kind: type) -> Any:
    """A value no page or e-mail would show by accident, of the attribute's type."""
    tag = f"Zq{model.__name__}{name.replace('_', '')}Qz"
    if kind is str:
        return tag
    if kind is list:
        return [tag]
    if kind is dict:
        return {"country": "AF", "region": tag, "locality": tag + "Town"}
    if kind is date:
        return date(1913, 7, 29) if model is Person else date(2001, 1, 23)
    if kind is int:
        return 1917
    raise TypeError(kind)


def fill_secrets(obj: object) -> None:
    for name, attribute in encrypted_attributes(type(obj)).items():
        setattr(obj, name, secret_value(type(obj), name, attribute.kind))


def secret_texts(*models: type) -> list[str]:
    """The text forms of every distinctive value ``fill_secrets`` puts in ``models``."""
    texts: list[str] = []
    for model in models:
        for name, attribute in encrypted_attributes(model).items():
            value = secret_value(model, name, attribute.kind)
            if isinstance(value, list):
                texts.extend(value)
            elif isinstance(value, dict):
                texts.extend(v for v in value.values() if len(v) > 2)
            elif isinstance(value, date):
                texts.extend([value.isoformat(), value.strftime("%d/%m/%Y")])
            else:
                texts.append(str(value))
    return texts


def make_case(app: Flask, db: Session, organisation_id: uuid.UUID, assigned_to_id: uuid.UUID):
    """A person and a case with every encrypted attribute filled."""
    n = next(_counter)
    with app.app_context():
        person = Person(id=uuid.uuid4(), organisation_id=organisation_id)
        fill_secrets(person)
        case = Case(
            id=uuid.uuid4(),
            person_id=person.id,
            person=person,
            organisation_id=organisation_id,
            case_number=f"TST-{n:05d}",
            case_type="presumed_victim",
            assigned_to_id=assigned_to_id,
        )
        fill_secrets(case)
        db.add_all([person, case])
        db.commit()
    return case


def make_service(app: Flask, db: Session, provider: Organisation) -> Service:
    n = next(_counter)
    with app.app_context():
        directory = db.scalar(
            select(DirectoryOrganization).where(
                DirectoryOrganization.organisation_id == provider.id
            )
        ) or DirectoryOrganization(
            name=f"Clinic directory entry {n}", country="XK", organisation_id=provider.id
        )
        service = Service(organization=directory, name=f"Counselling service {n}")
        db.add_all([directory, service])
        db.commit()
    return service


def make_referral(
    app: Flask,
    db: Session,
    *,
    case: Case,
    referrer_id: uuid.UUID,
    service: Service,
    provider_id: uuid.UUID,
    state: ReferralState = ReferralState.SENT,
    sent_at: datetime | None = None,
    respond_hours: float = 48,
    answered_after_hours: float | None = None,
    expected_completion: date | None = None,
    urgency: str = "routine",
) -> Referral:
    """A referral in ``state`` as the referral pages would leave it (events included)."""
    n = next(_counter)
    sent = sent_at or utcnow()
    with app.app_context():
        referral = Referral(
            id=uuid.uuid4(),
            reference=f"REF-2026-{n:06d}",
            case_id=case.id,
            person_id=case.person_id,
            service_id=service.id,
            directory_organization_id=service.organization_id,
            provider_organisation_id=provider_id,
            referrer_id=referrer_id,
            referring_organisation_id=case.organisation_id,
            urgency=urgency,
            state=state.value,
            sent_at=sent,
            respond_by=sent + timedelta(hours=respond_hours),
            expected_completion=expected_completion,
        )
        fill_secrets(referral)
        if answered_after_hours is not None:
            referral.answered_at = sent + timedelta(hours=answered_after_hours)
        if state in (
            ReferralState.EXPIRED,
            ReferralState.COMPLETED,
            ReferralState.NOT_COMPLETED,
            ReferralState.CANCELLED,
            ReferralState.DECLINED,
        ):
            referral.closed_at = referral.answered_at or referral.respond_by
        referral.events.append(ReferralEvent(from_state=None, to_state="sent", at=sent))
        db.add(referral)
        db.commit()
    return referral
