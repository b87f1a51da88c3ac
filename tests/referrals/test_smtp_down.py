"""A referral answered while SMTP is down reaches the referrer's mailbox after SMTP returns,
once; the answering page never talks to SMTP (it only writes the outbox row)."""

from __future__ import annotations

from sqlalchemy import select

from core.outbox.models import OutboxMessage
from referrals.signals import referral_answered
from referrals.vocabulary import ReferralState


def test_a_referral_answered_while_smtp_is_down_reaches_the_referrer_once_it_returns(
    app, db_session, world, fire, smtp_server, send_outbox, time_travel, audit_events
):
    referral = world.referral(app, db_session)
    smtp_server.stop()
    fire(referral_answered, referral.id, ReferralState.ACCEPTED.value)
    assert smtp_server.sessions == 0  # the answering request did not touch SMTP
    (row,) = db_session.scalars(select(OutboxMessage))
    assert (row.template, row.user_id, row.state) == (
        "referrals.notification",
        world.caseworker.user.id,
        "pending",
    )
    assert row.address is None
    assert set(row.params) == {"kind", "referral_id", "case_id", "reference"}

    send_outbox()  # SMTP still down: the attempt fails and waits
    db_session.refresh(row)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")
    assert audit_events("notification.sent") == []

    smtp_server.start()
    time_travel(minutes=2)
    send_outbox()
    send_outbox()
    assert [str(m["To"]) for m in smtp_server.messages] == [world.caseworker.email]
    assert referral.reference in str(smtp_server.messages[0]["Subject"])
    assert smtp_server.sessions == 1
    db_session.refresh(row)
    assert row.state == "sent"
    assert len(audit_events("notification.sent")) == 1


def test_the_answering_page_itself_does_not_open_an_smtp_session(
    app, db_session, world, client, smtp_server, send_outbox
):
    """Through the real provider page: the answer is saved and SMTP is untouched until the
    sender runs."""
    from tests.factories import post_form, sign_in

    referral = world.referral(app, db_session)
    staff = world.staff[0]
    sign_in(client, staff, db_session)
    page = f"/referrals/{referral.id}"
    response = post_form(client, f"{page}/accept", {}, token_from=page)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert smtp_server.sessions == 0
    send_outbox()
    assert [str(m["To"]) for m in smtp_server.messages] == [world.caseworker.email]
