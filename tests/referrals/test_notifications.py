"""E-mail about referrals through the outbox and a real SMTP server: who is told, what the
text holds (the reference and a link, nothing else), queued with the commit, and failures
that lose nothing."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select, update

from auth.models import User
from casework.models import Case, Person
from core.outbox.models import OutboxMessage
from referrals.directory.models import DirectoryOrganization
from referrals.models import Referral
from referrals.signals import referral_answered, referral_closed, referral_sent
from referrals.vocabulary import ReferralState
from tests.referrals.followup_factories import secret_texts

S = ReferralState


@pytest.fixture
def fire(fire, send_outbox):
    """The shared ``fire``, then ``homeward outbox send --once``."""

    def fire_and_send(*args, **kwargs) -> None:
        fire(*args, **kwargs)
        send_outbox()

    return fire_and_send


def _deactivate(db, account) -> None:
    db.execute(update(User).where(User.id == account.user.id).values(active=False))
    db.commit()


def _to(mailbox) -> list[str]:
    return sorted(str(m["To"]) for m in mailbox.messages)


def _texts(mailbox) -> list[str]:
    return [
        str(m["Subject"]) + "\n" + m.get_body(preferencelist=("plain",)).get_content()
        for m in mailbox.messages
    ]


def test_a_new_referral_emails_every_active_staff_member_of_the_provider_and_nobody_else(
    app, db_session, world, fire, smtp_server, audit_events
):
    _deactivate(db_session, world.staff[1])
    third = world.staff[1]
    referral = world.referral(app, db_session)
    fire(referral_sent, referral.id, S.SENT.value)
    assert _to(smtp_server) == [world.staff[0].email]
    assert third.email not in _to(smtp_server)
    sent = audit_events("notification.sent")
    assert [(e.object_id, e.details_dict["kind"], e.details_dict["recipients"]) for e in sent] == [
        (str(referral.id), "referral_sent", 1)
    ]


def test_every_staff_member_gets_their_own_message(app, db_session, world, fire, smtp_server):
    referral = world.referral(app, db_session)
    fire(referral_sent, referral.id, S.SENT.value)
    assert _to(smtp_server) == sorted(a.email for a in world.staff)
    assert all(len(str(m["To"]).split(",")) == 1 for m in smtp_server.messages)


def test_answers_outcomes_and_expiry_email_the_referrer(app, db_session, world, fire, smtp_server):
    for signal, to_state in [
        (referral_answered, S.ACCEPTED),
        (referral_answered, S.DECLINED),
        (referral_answered, S.COMPLETED),
        (referral_answered, S.NOT_COMPLETED),
        (referral_closed, S.EXPIRED),
    ]:
        smtp_server.messages.clear()
        referral = world.referral(app, db_session)
        fire(signal, referral.id, to_state.value)
        assert _to(smtp_server) == [world.caseworker.email], to_state


def test_a_cancellation_tells_the_provider_staff_it_was_withdrawn(
    app, db_session, world, fire, smtp_server
):
    referral = world.referral(app, db_session)
    fire(referral_closed, referral.id, S.CANCELLED.value)
    assert _to(smtp_server) == sorted(a.email for a in world.staff)
    assert all("withdrawn" in t for t in _texts(smtp_server))


def test_texts_hold_the_reference_and_link_and_no_personal_or_case_data(
    app, db_session, world, fire, smtp_server
):
    referral = world.referral(app, db_session)
    fire(referral_sent, referral.id, S.SENT.value)
    fire(referral_answered, referral.id, S.DECLINED.value)
    fire(referral_closed, referral.id, S.CANCELLED.value)
    texts = _texts(smtp_server)
    assert len(texts) == 2 + 1 + 2
    directory = db_session.get(DirectoryOrganization, world.service.organization_id)
    forbidden = [
        *secret_texts(Person, Case, Referral),
        world.case.case_number,
        world.service.name,
        directory.name,
        world.caseworker.user.display_name,
        world.provider.name,
        world.agency.name,
    ]
    assert len(forbidden) > 20
    for text in texts:
        assert referral.reference in text
        assert "http://127.0.0.1/" in text
        assert str(referral.id) in text or "/referrals/inbox" in text or "/cases/" in text
        leaked = [value for value in forbidden if value in text]
        assert leaked == [], leaked


def test_the_provider_link_opens_the_referral_and_the_referrer_link_its_case_side_page(
    app, db_session, world, fire, smtp_server
):
    referral = world.referral(app, db_session)
    fire(referral_sent, referral.id, S.SENT.value)
    provider_text = _texts(smtp_server)[0]
    smtp_server.messages.clear()
    fire(referral_answered, referral.id, S.ACCEPTED.value)
    referrer_text = _texts(smtp_server)[0]
    assert f"http://127.0.0.1/referrals/{referral.id}\r\n" in provider_text
    assert f"http://127.0.0.1/referrals/{referral.id}/sent" in referrer_text
    assert str(world.case.id) not in provider_text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_failure_keeps_the_transition_and_is_audited_when_given_up(
    app, db_session, world, fire, audit_events, override_settings
):
    from tests.conftest import use_smtp_url

    override_settings(OUTBOX_MAX_ATTEMPTS=1)
    referral = world.referral(app, db_session)
    previous = use_smtp_url(app, f"smtp://127.0.0.1:{_closed_port()}")
    try:
        fire(referral_answered, referral.id, S.ACCEPTED.value)
    finally:
        use_smtp_url(app, previous)
    db_session.expire_all()
    assert db_session.get(Referral, referral.id).state == S.ACCEPTED.value
    failed = audit_events("notification.failed")
    assert len(failed) == 1
    assert failed[0].outcome == "failed"
    assert failed[0].object_id == str(referral.id)
    assert failed[0].case_id == world.case.id
    assert failed[0].details_dict == {
        "kind": "referral_answered",
        "recipients": 1,
        "failed": 1,
        "error": "ConnectionRefusedError",
    }
    assert audit_events("notification.sent") == []


def test_nothing_is_sent_for_a_change_that_was_rolled_back(
    app, db_session, world, fire, smtp_server, audit_events
):
    referral = world.referral(app, db_session)
    fire(referral_answered, referral.id, S.ACCEPTED.value, status=409)
    db_session.expire_all()
    assert db_session.get(Referral, referral.id).state == S.SENT.value
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert smtp_server.messages == []
    assert audit_events("notification.sent") == []


def test_a_provider_without_staff_is_recorded_as_not_notified(
    app, db_session, world, fire, smtp_server, audit_events
):
    referral = world.referral(app, db_session)
    for account in world.staff:
        _deactivate(db_session, account)
    fire(referral_sent, referral.id, S.SENT.value)
    assert smtp_server.messages == []
    failed = audit_events("notification.failed")
    assert [e.details_dict["error"] for e in failed] == ["no_recipients"]


def test_referral_ids_in_the_log_only(app, db_session, world, fire, smtp_server, audit_events):
    referral = world.referral(app, db_session)
    fire(referral_sent, referral.id, S.SENT.value)
    events = audit_events("notification.sent")
    assert len(events) == len(world.staff)  # one per recipient's message
    for event in events:
        assert event.case_id == world.case.id
        assert event.object_id == str(referral.id)
        assert set(event.details_dict) == {"kind", "recipients"}
    assert db_session.scalar(select(Referral.state).where(Referral.id == referral.id)) == "sent"


def test_changes_committed_by_a_command_are_queued_and_sent_by_the_sender(
    app, db_session, world, smtp_server, audit_events, send_outbox
):
    """The `referrals expire` command's path: no request; the sender sends what it queued."""
    import click
    from flask import current_app
    from flask.cli import with_appcontext

    from core.clock import utcnow
    from core.db import current_db
    from referrals.models import ReferralEvent

    referral = world.referral(app, db_session, respond_hours=-1)

    @click.command("expire-one")
    @with_appcontext
    def expire_one() -> None:
        with current_db().session_scope() as db:
            loaded = db.get(Referral, referral.id)
            loaded.state = S.EXPIRED.value
            event = ReferralEvent(
                referral_id=loaded.id, from_state="sent", to_state="expired", at=utcnow()
            )
            db.add(event)
            db.flush()
            referral_closed.send(current_app._get_current_object(), referral=loaded, event=event)

    result = app.test_cli_runner().invoke(expire_one)
    assert result.exit_code == 0, result.output
    assert smtp_server.messages == []  # queued, not sent by the command
    send_outbox()
    assert _to(smtp_server) == [world.caseworker.email]
    assert "expired" in _texts(smtp_server)[0]
    (event,) = audit_events("notification.sent")
    assert event.actor_user_id is None


def test_a_referral_notification_to_a_russian_user_is_in_russian(
    app, db_session, world, fire, smtp_server
):
    import re

    from babel.support import Translations

    from core.config import PROJECT_ROOT

    db_session.execute(
        update(User).where(User.id == world.caseworker.user.id).values(preferred_language="ru")
    )
    db_session.commit()
    referral = world.referral(app, db_session)
    fire(referral_answered, referral.id, S.ACCEPTED.value)
    (message,) = smtp_server.messages
    russian = Translations.load(str(PROJECT_ROOT / "translations"), ["ru"])
    subject = russian.gettext("Homeward: referral %(ref)s was answered") % {
        "ref": referral.reference
    }
    assert re.search(r"[\u0400-\u04FF]", subject)  # the catalogue has it in Cyrillic
    assert message["Subject"] == subject
    assert message["Content-Language"] == "ru"
    lead = russian.gettext("The provider answered referral %(ref)s.") % {"ref": referral.reference}
    assert lead in message.get_body(preferencelist=("plain",)).get_content()
