"""Referrals on the Today page: answers to read and declined referrals reach the referrer."""

from __future__ import annotations

from tests.casework.helpers import today_section
from tests.referrals.helpers import case_id_of, provider_post, send


def test_an_accepted_referral_waits_to_be_read(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    waiting = today_section(client.get("/today/").get_data(as_text=True), "today-waiting")
    assert "Referral accepted" in waiting
    assert f'href="/referrals/{referral.id}/sent">Read the answer' in waiting
    assert client.get(f"/referrals/{referral.id}/sent").status_code == 200


def test_a_declined_referral_waits_until_the_case_is_referred_again(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    declined = provider_post(
        provider_client, referral, "decline", {"reason": "Full", "reason_code": "no_capacity"}
    )
    assert declined.status_code == 302
    html = client.get("/today/").get_data(as_text=True)
    assert f'href="/referrals/cases/{case_id_of(case)}/new">Refer elsewhere' in html
    send(client, db_session, case, service)
    html = client.get("/today/").get_data(as_text=True)
    assert "Refer elsewhere" not in html and "Referral declined" not in html


def test_provider_staff_do_not_get_referrer_items(app, db_session, provider_client):
    assert provider_client.get("/today/").status_code == 403
