"""Referral test helpers: directory rows, a case with consent, sending through the real forms."""

from __future__ import annotations

import itertools
import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.consent.models import LegalBasisRecord
from referrals.directory.models import DirectoryOrganization, Service, ServiceTypeTerm
from referrals.models import Referral
from tests.casework.helpers import record_consent
from tests.factories import post_form

_n = itertools.count(1)


def make_service(
    db: Session,
    *,
    organisation_id: uuid.UUID | None,
    country: str = "AL",
    kinds: tuple[str, ...] = ("health",),
    status: str = "active",
) -> Service:
    """A directory organization (linked to a Homeward provider) with one service."""
    n = next(_n)
    org = DirectoryOrganization(
        id=uuid.uuid4(), name=f"Directory Org {n}", country=country, organisation_id=organisation_id
    )
    service = Service(id=uuid.uuid4(), organization_id=org.id, name=f"Service {n}", status=status)
    service.types = [ServiceTypeTerm(code=k) for k in kinds]
    db.add_all([org, service])
    db.commit()
    return service


def case_id_of(case_url: str) -> uuid.UUID:
    return uuid.UUID(case_url.rsplit("/", 1)[1])


def consent_for(client, case_url: str, organisation_id: uuid.UUID, types=("health",)):
    data = {
        "basis": "consent",
        "purpose": "Refer to the clinic",
        "given_by": "person",
        "method": "written",
        "given_on": "2026-10-02",
        "organisations": [str(organisation_id)],
        "service_types": list(types),
    }
    response = record_consent(client, case_url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def other_basis_for(client, case_url: str, basis: str = "vital_interest"):
    data = {"basis": basis, "justification": "Urgent medical care needed"}
    response = record_consent(client, case_url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def bases_of(db: Session, case_url: str) -> list[LegalBasisRecord]:
    return list(
        db.scalars(
            select(LegalBasisRecord)
            .where(LegalBasisRecord.case_id == case_id_of(case_url))
            .order_by(LegalBasisRecord.recorded_at)
        )
    )


def new_url(case_url: str, service: Service) -> str:
    return f"/referrals/cases/{case_id_of(case_url)}/new/{service.id}"


def send_url(case_url: str, service: Service) -> str:
    return new_url(case_url, service) + "/send"


def preview_url(case_url: str, service: Service) -> str:
    return new_url(case_url, service) + "/preview"


def referral_form(basis_id, fields=("name_latin", "languages"), **extra) -> dict:
    data = {
        "urgency": "urgent",
        "reason": "Needs a medical check after return",
        "legal_basis": str(basis_id),
        "fields": list(fields),
        "referrer_contact": "Case team, +1 555 0100",
    }
    data.update(extra)
    return data


def send(client, db: Session, case_url: str, service: Service, fields=("name_latin",), **extra):
    """Send a referral through the form; returns the Referral."""
    basis = extra.pop("basis_id", None) or bases_of(db, case_url)[-1].id
    response = post_form(client, send_url(case_url, service), referral_form(basis, fields, **extra))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = re.fullmatch(r"/referrals/([0-9a-f-]{36})/sent", response.headers["Location"])
    assert match, response.headers["Location"]
    db.expire_all()
    referral = db.get(Referral, uuid.UUID(match.group(1)))
    assert referral is not None
    return referral


def provider_post(client, referral: Referral, action: str, data: dict | None = None):
    return post_form(
        client, f"/referrals/{referral.id}/{action}", data or {}, token_from="/referrals/inbox"
    )
