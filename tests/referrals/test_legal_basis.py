"""No legal basis, no referral; the basis must cover this provider and this kind of service."""

from __future__ import annotations

from sqlalchemy import func, select

from referrals.models import Referral
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_organisation, post_form, sign_in
from tests.referrals.helpers import (
    bases_of,
    consent_for,
    make_service,
    new_url,
    other_basis_for,
    preview_url,
    referral_form,
    send,
    send_url,
)


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Referral))


def _bare_case(client, db_session, caseworker) -> str:
    sign_in(client, caseworker, db_session)
    return case_url(register(client, FARIDA))


def test_without_a_legal_basis_no_referral_can_be_sent(
    app, db_session, client, caseworker, service
):
    url = _bare_case(client, db_session, caseworker)
    page = client.get(new_url(url, service)).get_data(as_text=True)
    assert "No legal basis allows this referral" in page
    assert f"{url}/consent/new" in page  # the way out: record consent
    before = _count(db_session)
    response = post_form(
        client, send_url(url, service), referral_form("00000000-0000-0000-0000-000000000000")
    )
    assert response.status_code == 400
    assert _count(db_session) == before


def test_consent_for_another_provider_or_service_type_does_not_count(
    app, db_session, client, caseworker, service
):
    url = _bare_case(client, db_session, caseworker)
    elsewhere = make_organisation(app, db_session, agency=False, provider=True)
    consent_for(client, url, elsewhere.id)  # another provider
    consent_for(client, url, service.organization.organisation_id, types=("legal",))  # wrong type
    before = _count(db_session)
    for basis in bases_of(db_session, url):
        response = post_form(client, send_url(url, service), referral_form(basis.id))
        assert response.status_code == 400
        assert "No legal basis allows this referral" in response.get_data(as_text=True)
    assert _count(db_session) == before


def test_a_withdrawn_consent_does_not_count(app, db_session, client, caseworker, service):
    url = _bare_case(client, db_session, caseworker)
    consent_for(client, url, service.organization.organisation_id)
    basis = bases_of(db_session, url)[0]
    withdraw = post_form(client, f"{url}/consent/{basis.id}/withdraw", {"reason": "Changed mind"})
    assert withdraw.status_code == 302
    response = post_form(client, send_url(url, service), referral_form(basis.id))
    assert response.status_code == 400


def test_another_basis_needs_a_justification(app, db_session, client, caseworker, service):
    url = _bare_case(client, db_session, caseworker)
    other_basis_for(client, url)
    basis = bases_of(db_session, url)[0]
    response = post_form(client, send_url(url, service), referral_form(basis.id))
    assert response.status_code == 400
    assert "Write why this basis allows sharing" in response.get_data(as_text=True)
    referral = send(
        client, db_session, url, service, basis_id=basis.id, justification="Life at risk"
    )
    assert referral.other_basis == "vital_interest"
    with app.app_context():
        assert referral.other_justification == "Life at risk"


def test_preview_shows_exactly_the_chosen_fields_and_sends_nothing(
    app, db_session, client, case, service
):
    basis = bases_of(db_session, case)[0]
    before = _count(db_session)
    response = post_form(
        client,
        preview_url(case, service),
        referral_form(basis.id, fields=("phone",)),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "+93 700 123 456" in body
    assert "Farida Nazari" not in body
    assert "Send the referral" in body
    assert _count(db_session) == before
    # Showing the person's fields is a view of the case, audited like the page itself.
    from audit.models import AuditEvent

    pages = db_session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "case.viewed")
    ).all()
    assert any("referral_preview" in (details or "") for details in pages)


def test_unknown_field_codes_and_no_fields_are_refused(app, db_session, client, case, service):
    basis = bases_of(db_session, case)[0]
    for fields in ((), ("password_hash",)):
        response = post_form(client, send_url(case, service), referral_form(basis.id, fields))
        assert response.status_code == 400


def test_a_provider_staff_member_cannot_refer(app, db_session, case, service, provider_client):
    response = provider_client.get(new_url(case, service))
    assert response.status_code == 403


def test_a_service_nobody_answers_cannot_be_chosen(app, db_session, client, case):
    orphan = make_service(db_session, organisation_id=None)
    assert client.get(new_url(case, orphan)).status_code == 404
    inactive = make_service(
        db_session, organisation_id=service_owner(db_session), status="inactive"
    )
    assert client.get(new_url(case, inactive)).status_code == 404


def service_owner(db):
    from auth.models import Organisation

    return db.scalar(select(Organisation.id).where(Organisation.is_provider.is_(True)))
