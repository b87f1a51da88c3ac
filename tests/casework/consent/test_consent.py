"""Consent and legal basis through the pages: record, child consent, other bases, withdrawal."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.consent import services
from casework.consent.dependencies import Dependent
from casework.consent.models import LegalBasisRecord
from casework.consent.vocabulary import ConsentMethod, GivenBy, LegalBasis, ServiceType
from casework.models import Case
from casework.signals import consent_dependents_collecting, consent_withdrawn
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import (
    CONSENT,
    FARIDA,
    case_url,
    record_consent,
    register,
    registered_case,
)
from tests.factories import make_organisation, post_form, sign_in

#: Farida's daughter, twelve years old.
CHILD = {**FARIDA, "name_original": "مریم نظری", "name_latin": "Maryam Nazari",
         "date_of_birth": "2014-05-02", "document_number": "P-7654 321"}  # fmt: skip


def _basis(db_session) -> LegalBasisRecord:
    return db_session.scalars(
        select(LegalBasisRecord).order_by(LegalBasisRecord.recorded_at.desc())
    ).first()


def test_record_consent_shows_on_the_case_and_is_audited(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    form_page = client.get(f"{url}/consent/new").get_data(as_text=True)
    assert "often not free when aid depends on it" in form_page
    response = record_consent(client, url, CONSENT)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(url).get_data(as_text=True)
    assert "Share medical needs with the shelter doctor" in page
    assert "Health care" in page and "Written" in page
    basis = _basis(db_session)
    assert basis.basis == "consent" and basis.given_by == "person" and basis.active
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.recorded"))
    assert event.object_id == str(basis.id) or str(event.object_id) == str(basis.id)
    assert "shelter doctor" not in (event.details or "")
    history = client.get(f"{url}/consent/").get_data(as_text=True)
    assert "Share medical needs" in history
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.viewed"))


def test_child_consent_by_guardian_needs_the_childs_assent(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, CHILD))
    child = {**CONSENT, "given_by": "parent_or_guardian", "guardian_name": "Karim Nazari"}
    response = record_consent(client, url, child)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="child_assent-error"' in body and "Note whether the child agrees" in body
    assert "Karim Nazari" in body  # what was typed is kept
    response = record_consent(client, url, {**child, "child_assent": "not_able"})
    assert response.status_code == 302
    basis = _basis(db_session)
    assert basis.given_by == "parent_or_guardian" and basis.child_assent == "not_able"
    with app.app_context():
        assert basis.guardian_name == "Karim Nazari"
    page = client.get(url).get_data(as_text=True)
    assert "The child is not able to say" in page and "Karim Nazari" in page


@pytest.mark.parametrize("basis", ["vital_interest", "public_interest", "legal_obligation"])
def test_other_basis_requires_a_justification(app, db_session, client, caseworker, basis):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = record_consent(client, url, {"basis": basis})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="justification-error"' in body
    assert db_session.scalar(select(LegalBasisRecord)) is None
    response = record_consent(
        client, url, {"basis": basis, "justification": "Needs urgent surgery; unconscious"}
    )
    assert response.status_code == 302
    record = _basis(db_session)
    with app.app_context():
        assert record.basis == basis
        assert record.justification == "Needs urgent surgery; unconscious"
        assert record.purpose is None and record.given_by is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_on", "2999-01-01", "cannot be in the future"),
        ("given_on", "1066-10-14", "too far in the past"),
        ("given_on", "2026-02-30", "Not a valid date"),
        ("purpose", "", "Say what the consent is for"),
        ("method", "telepathy", "Not a valid choice"),
        ("purpose", "x" * 5000, "longer than 4000"),
        ("organisations", "", "not a valid choice"),
        ("service_types", "", "not a valid choice"),
    ],
)
def test_bad_consent_input_gets_a_message_next_to_the_field(
    app, db_session, client, caseworker, field, value, message
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    response = record_consent(client, url, {**CONSENT, field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in body and message.lower() in body.lower()


def test_history_is_kept_and_withdrawal_is_immediate_and_signalled(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_consent(client, url, CONSENT)
    first = _basis(db_session)
    record_consent(
        client, url, {**CONSENT, "purpose": "Contact family in Herat", "service_types": []}
    )
    received = []

    def listener(sender, **kwargs):
        received.append((sender.id, kwargs["case"].id, kwargs["actor"].user_id))
        assert kwargs["session"] is not None

    consent_withdrawn.connect(listener)
    try:
        response = post_form(
            client,
            f"{url}/consent/{first.id}/withdraw",
            {"reason": "Said on the phone she no longer agrees"},
        )
    finally:
        consent_withdrawn.disconnect(listener)
    assert response.status_code == 302
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    assert received == [(first.id, case.id, caseworker.user.id)]
    db_session.refresh(first)
    with app.app_context():
        assert not first.active and first.withdrawal_reason.startswith("Said on the phone")
        active = services.active_legal_bases(db_session, case)
        assert [b.purpose for b in active] == ["Contact family in Herat"]
    page = client.get(url).get_data(as_text=True)
    assert "withdrawn on" in page and "Said on the phone she no longer agrees" in page
    assert "What depended on it" in page
    history = client.get(f"{url}/consent/").get_data(as_text=True)
    assert "Share medical needs" in history and "Contact family in Herat" in history
    again = post_form(client, f"{url}/consent/{first.id}/withdraw", {"reason": "again"})
    assert again.status_code == 200 and "withdrawn already" in again.get_data(as_text=True)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.withdrawn"))
    assert "phone" not in (event.details or "")


def test_withdrawal_needs_a_reason(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_consent(client, url, CONSENT)
    basis = _basis(db_session)
    response = post_form(client, f"{url}/consent/{basis.id}/withdraw", {"reason": "  "})
    assert response.status_code == 200
    assert 'id="reason-error"' in response.get_data(as_text=True)
    db_session.refresh(basis)
    assert basis.active


def test_a_basis_of_another_case_is_not_found(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    first = registered_case(client)
    record_consent(client, first, CONSENT)
    basis = _basis(db_session)
    second = registered_case(client, again=True)
    assert client.get(f"{second}/consent/{basis.id}/withdraw").status_code == 404


def test_dependency_providers_list_what_depended_on_it(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_consent(client, url, CONSENT)
    basis = _basis(db_session)

    def provider(record, session, **_extra):
        return [Dependent("referral", f"Referral R-1 under {record.basis}", "/referrals/inbox")]

    consent_dependents_collecting.connect(provider)
    try:
        body = client.get(f"{url}/consent/{basis.id}/withdraw").get_data(as_text=True)
    finally:
        consent_dependents_collecting.disconnect(provider)
    assert "Referral R-1 under consent" in body


def test_active_legal_bases_by_provider_and_service_type(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    shelter = make_organisation(app, db_session, agency=False, provider=True)
    clinic = make_organisation(app, db_session, agency=False, provider=True)
    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    consent = {
        "basis": LegalBasis.CONSENT,
        "purpose": "p",
        "given_by": GivenBy.PERSON,
        "method": ConsentMethod.ORAL,
        "given_on": case.opened_at.date(),
    }
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):

        def add(**kw):
            details = services.LegalBasisDetails(**kw)
            return services.record_legal_basis(db_session, actor, case, details)

        named = add(**consent, organisation_ids=[shelter.id])
        typed = add(**consent, service_types=[ServiceType.HEALTH])
        in_house = add(**consent)
        anyone = add(basis=LegalBasis.VITAL_INTEREST, justification="j", any_provider=True)

        def ids(**kw):
            return {b.id for b in services.active_legal_bases(db_session, case, **kw)}

        assert ids() == {named.id, typed.id, in_house.id, anyone.id}
        assert ids(organisation_id=shelter.id) == {named.id, typed.id, anyone.id}
        assert ids(organisation_id=clinic.id) == {typed.id, anyone.id}
        assert ids(organisation_id=clinic.id, service_type="health") == {typed.id, anyone.id}
        assert ids(organisation_id=clinic.id, service_type="shelter") == {anyone.id}
        assert ids(service_type="legal") == {named.id, anyone.id}
        services.withdraw_legal_basis(db_session, actor, case, anyone, "ended")
        assert ids(organisation_id=clinic.id) == {typed.id}
        with pytest.raises(services.CaseworkError):
            add(**consent, organisation_ids=[uuid.uuid4()])
