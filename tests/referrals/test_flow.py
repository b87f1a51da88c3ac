"""The whole round: refer with chosen fields, provider answers, referrer sees the feedback."""

from __future__ import annotations

from core.clock import utcnow
from referrals.vocabulary import ReferralState
from tests.referrals.helpers import new_url, provider_post, send


def test_refer_accept_complete_and_feedback(
    app, db_session, client, case, service, provider_client
):
    page = client.get(new_url(case, service))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'value="name_latin" checked' in body or "checked" in body

    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    assert referral.state == ReferralState.SENT
    assert referral.reference.startswith("REF-")
    assert referral.transnational is True
    assert referral.provider_country == "AL"
    assert referral.shared_codes == ["name_latin", "phone"]

    inbox = provider_client.get("/referrals/inbox").get_data(as_text=True)
    assert referral.reference in inbox
    view = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Farida Nazari" in view
    assert "+93 700 123 456" in view
    assert "فریده" not in view  # name in original script not shared

    assert provider_post(provider_client, referral, "accept").status_code == 302
    response = provider_post(
        provider_client,
        referral,
        "complete",
        {"outcome": "Examined and treated", "outcome_date": utcnow().date().isoformat()},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    assert referral.state == ReferralState.COMPLETED

    case_page = client.get(case).get_data(as_text=True)
    assert referral.reference in case_page
    assert "Examined and treated" in case_page
