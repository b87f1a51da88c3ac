"""A sent referral expires at its respond-by deadline: by the command, or lazily when read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from referrals.vocabulary import ReferralState
from tests.referrals.helpers import provider_post, send


def _deadline(app, urgency: str) -> timedelta:
    return timedelta(hours=app.config["HOMEWARD_SETTINGS"].referrals.respond_hours(urgency))


@pytest.mark.parametrize("urgency", ["routine", "urgent", "emergency"])
def test_respond_by_follows_the_urgency_setting(app, db_session, client, case, service, urgency):
    referral = send(client, db_session, case, service, urgency=urgency)
    assert referral.respond_by - referral.sent_at == _deadline(app, urgency)


def test_command_expires_at_the_deadline_and_not_before(
    app, db_session, client, case, service, time_travel
):
    referral = send(client, db_session, case, service, urgency="emergency")
    runner = app.test_cli_runner()
    time_travel(hours=23, minutes=59)
    result = runner.invoke(args=["referrals", "expire"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert referral.state == ReferralState.SENT
    time_travel(hours=24, minutes=1)
    result = runner.invoke(args=["referrals", "expire"])
    assert result.exit_code == 0, result.output
    assert "expired 1 referral(s)" in result.output
    db_session.expire_all()
    assert referral.state == ReferralState.EXPIRED
    assert referral.events[-1].reason_code == "deadline_passed"
    assert referral.closed_at is not None


def test_lazy_expiry_when_the_provider_reads(
    app, db_session, client, case, service, provider_client, time_travel, long_sessions
):
    referral = send(client, db_session, case, service, urgency="urgent")
    time_travel(hours=48, seconds=1)
    inbox = provider_client.get("/referrals/inbox").get_data(as_text=True)
    assert "Overdue" in inbox
    db_session.expire_all()
    assert referral.state == ReferralState.EXPIRED
    body = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Farida" not in body  # expired: reference and state only


def test_lazy_expiry_on_the_referral_page_refuses_a_late_answer(
    app, db_session, client, case, service, provider_client, time_travel, long_sessions
):
    referral = send(client, db_session, case, service, urgency="urgent")
    time_travel(hours=49)
    response = provider_post(provider_client, referral, "accept")
    assert response.status_code == 302
    db_session.expire_all()
    assert referral.state == ReferralState.EXPIRED


def test_lazy_expiry_on_the_case_page(
    app, db_session, client, case, service, time_travel, long_sessions
):
    referral = send(client, db_session, case, service, urgency="urgent")
    time_travel(hours=49)
    page = client.get(case).get_data(as_text=True)
    assert "Expired" in page
    db_session.expire_all()
    assert referral.state == ReferralState.EXPIRED


def test_an_answered_referral_never_expires(
    app, db_session, client, case, service, provider_client, time_travel, long_sessions
):
    referral = send(client, db_session, case, service, urgency="urgent")
    assert provider_post(provider_client, referral, "accept").status_code == 302
    time_travel(days=30)
    result = app.test_cli_runner().invoke(args=["referrals", "expire"])
    assert "expired 0 referral(s)" in result.output
    db_session.expire_all()
    assert referral.state == ReferralState.ACCEPTED


def test_a_chosen_deadline_replaces_the_default(app, db_session, client, case, service):
    from core.clock import utcnow

    day = utcnow().date() + timedelta(days=10)
    referral = send(client, db_session, case, service, respond_by=day.isoformat())
    assert referral.respond_by.date() == day
    assert (referral.respond_by.hour, referral.respond_by.minute) == (23, 59)


@pytest.mark.parametrize("days", [-1, 91])
def test_a_deadline_in_the_past_or_too_far_is_refused(app, db_session, client, case, service, days):
    from core.clock import utcnow
    from tests.factories import post_form
    from tests.referrals.helpers import bases_of, referral_form, send_url

    day = (utcnow().date() + timedelta(days=days)).isoformat()
    data = referral_form(bases_of(db_session, case)[0].id, respond_by=day)
    response = post_form(client, send_url(case, service), data)
    assert response.status_code == 400
    assert 'id="respond_by-error"' in response.get_data(as_text=True)
