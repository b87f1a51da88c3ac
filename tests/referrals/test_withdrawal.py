"""Withdrawing the consent a referral relied on cancels it at once; the provider loses access."""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from referrals.models import ReferralEvent
from referrals.vocabulary import ReferralState
from tests.factories import post_form
from tests.referrals.helpers import bases_of, provider_post, send


def test_withdrawal_cancels_open_referrals_and_hides_them_from_the_provider(
    app, db_session, client, case, service, provider_client
):
    sent = send(client, db_session, case, service, fields=("name_latin", "phone"))
    accepted = send(client, db_session, case, service, fields=("name_latin",))
    assert provider_post(provider_client, accepted, "accept").status_code == 302
    assert "Farida Nazari" in provider_client.get(f"/referrals/{sent.id}").get_data(as_text=True)

    basis = bases_of(db_session, case)[0]
    page = client.get(f"{case}/consent/{basis.id}/withdraw").get_data(as_text=True)
    assert sent.reference in page and accepted.reference in page  # listed as dependent

    response = post_form(client, f"{case}/consent/{basis.id}/withdraw", {"reason": "Said no"})
    assert response.status_code == 302
    db_session.expire_all()
    for referral in (sent, accepted):
        assert referral.state == ReferralState.CANCELLED
        event = db_session.scalar(
            select(ReferralEvent).where(
                ReferralEvent.referral_id == referral.id,
                ReferralEvent.to_state == "cancelled",
            )
        )
        assert event is not None and event.reason_code == "consent_withdrawn"
        view = provider_client.get(f"/referrals/{referral.id}")
        assert view.status_code == 200
        body = view.get_data(as_text=True)
        assert referral.reference in body
        assert "Farida Nazari" not in body and "+93 700 123 456" not in body
        assert "Needs a medical check" not in body  # the reason is personal too
    refused = provider_post(provider_client, sent, "accept")
    assert refused.status_code == 302  # back to the page with a message, nothing changed
    db_session.expire_all()
    assert sent.state == ReferralState.CANCELLED
    audited = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(sent.id))
    ).all()
    assert "referral.cancelled" in audited


def test_other_cases_referrals_are_untouched(app, db_session, client, case, service):
    from tests.casework.helpers import FARIDA, case_url, register

    kept = send(client, db_session, case, service)
    other_case = case_url(register(client, FARIDA, confirm_new=True))
    from tests.referrals.helpers import consent_for

    consent_for(client, other_case, service.organization.organisation_id)
    other_basis = bases_of(db_session, other_case)[0]
    post_form(client, f"{other_case}/consent/{other_basis.id}/withdraw", {"reason": "No"})
    db_session.expire_all()
    assert kept.state == ReferralState.SENT


def test_withdrawal_after_completion_ends_the_providers_view_of_the_fields(
    app, db_session, client, case, service, provider_client
):
    from core.clock import utcnow

    referral = send(client, db_session, case, service, fields=("name_latin",))
    assert provider_post(provider_client, referral, "accept").status_code == 302
    done = {"outcome": "Treated", "outcome_date": utcnow().date().isoformat()}
    assert provider_post(provider_client, referral, "complete", done).status_code == 302
    # Completed: the provider no longer sees the person's fields (reference and state only).
    assert "Farida Nazari" not in provider_client.get(f"/referrals/{referral.id}").get_data(
        as_text=True
    )
    basis = bases_of(db_session, case)[0]
    post_form(client, f"{case}/consent/{basis.id}/withdraw", {"reason": "Said no"})
    db_session.expire_all()
    assert referral.state == ReferralState.COMPLETED  # history stays true
    body = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert referral.reference in body
    assert "Farida Nazari" not in body and "Treated" not in body
