"""The outbox against a real SMTP server: rows written with the change (and gone with its
rollback), retries with a doubling wait, dead letters after the last attempt, and the claim
that keeps a crashed sender's message from going out twice within its lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Response
from sqlalchemy import func, select

from core.clock import utcnow
from core.db import commit_or_rollback, current_db, get_session
from core.outbox import sender, services
from core.outbox.models import OutboxMessage, OutboxState
from core.signals import StatusFigure, collect, status_figures_collecting


def _rows(db) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def _enqueue_in_request(app, template: str, status: int, n: int = 1) -> None:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        services.enqueue(
            get_session(), template, {"n": n}, address=f"desk{n}@agency.example", locale="fr"
        )
        commit_or_rollback(Response(status=status))


def test_a_row_is_written_with_the_change_and_gone_with_its_rollback(
    app, db_session, hello_template
):
    _enqueue_in_request(app, hello_template, status=409)
    assert _rows(db_session) == []
    _enqueue_in_request(app, hello_template, status=200)
    (row,) = _rows(db_session)
    assert (row.state, row.attempts, row.template) == ("pending", 0, hello_template)
    assert row.params == {"n": 1}


@pytest.mark.parametrize(
    "params",
    [
        {"name": "Farida Ahmadi"},
        {"email": "farida@example.org"},
        {"note": "Lives at 4 Harbour Street"},
        {"Bad-Key": "x"},
        {"when": utcnow()},
    ],
)
def test_parameters_hold_ids_and_codes_never_personal_text(app, db_session, params):
    with pytest.raises(ValueError):
        services.enqueue(db_session, "tests.hello", params, address="desk@agency.example")
    assert _rows(db_session) == []


def test_a_recipient_is_a_user_or_an_address(app, db_session):
    with pytest.raises(ValueError):
        services.enqueue(db_session, "tests.hello", {})
    with pytest.raises(ValueError):
        services.enqueue(db_session, "tests.hello", {}, user_id=utcnow(), address="a@b.example")


def test_sent_once_rendered_in_the_recipients_language_with_a_message_id_of_the_row(
    app, db_session, hello_template, smtp_server, send_outbox
):
    _enqueue_in_request(app, hello_template, status=200, n=7)
    assert smtp_server.messages == []  # the request did not talk to SMTP
    assert "sent=1" in send_outbox()
    (message,) = smtp_server.messages
    (row,) = _rows(db_session)
    assert message["Subject"] == "Hello 7"
    assert message["To"] == "desk7@agency.example"
    assert message["Message-ID"] == f"<outbox.{row.id}@localhost>"
    assert message["Content-Language"] == "fr"
    assert smtp_server.last_body().startswith("Locale fr")
    assert (row.state, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    send_outbox()
    assert len(smtp_server.messages) == 1


def test_failures_retry_with_a_doubling_wait_until_smtp_is_back(
    app, db_session, hello_template, smtp_server, send_outbox, time_travel
):
    smtp_server.stop()
    _enqueue_in_request(app, hello_template, status=200)
    send_outbox()
    (row,) = _rows(db_session)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")
    first_wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=55) < first_wait <= timedelta(seconds=60)
    send_outbox()  # not due yet: no attempt
    assert _rows(db_session)[0].attempts == 1
    time_travel(seconds=61)
    send_outbox()
    (row,) = _rows(db_session)
    assert row.attempts == 2
    second_wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=115) < second_wait <= timedelta(seconds=120)
    smtp_server.start()
    time_travel(seconds=61 + 121)
    send_outbox()
    assert len(smtp_server.messages) == 1
    assert _rows(db_session)[0].state == "sent"


def test_the_wait_is_capped(app):
    outbox = app.config["HOMEWARD_SETTINGS"].outbox
    assert outbox.retry_delay(1) == timedelta(seconds=60)
    assert outbox.retry_delay(3) == timedelta(seconds=240)
    assert outbox.retry_delay(40) == timedelta(minutes=360)


def test_a_dead_letter_after_the_last_attempt_then_retried_by_hand(
    app, db_session, hello_template, smtp_server, send_outbox, time_travel, override_settings
):
    override_settings(OUTBOX_MAX_ATTEMPTS=3)
    smtp_server.stop()
    _enqueue_in_request(app, hello_template, status=200)
    for hour in range(1, 6):  # time_travel sets the clock's offset from now
        send_outbox()
        time_travel(hours=hour)
    (row,) = _rows(db_session)
    assert (row.state, row.attempts, row.last_error) == ("dead", 3, "ConnectionRefusedError")
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "dead: 1" in result.output and "pending: 0" in result.output
    smtp_server.start()
    send_outbox()
    assert smtp_server.messages == []  # a dead letter is not sent
    with app.test_request_context("/"):
        services.retry(get_session(), row.id)
        commit_or_rollback(Response(status=200))
    send_outbox()
    assert len(smtp_server.messages) == 1
    assert _rows(db_session)[0].state == "sent"


def test_only_dead_letters_can_be_retried_or_discarded(app, db_session, hello_template):
    _enqueue_in_request(app, hello_template, status=200)
    (row,) = _rows(db_session)
    with pytest.raises(services.OutboxConflict):
        services.discard(db_session, row.id)
    with pytest.raises(services.OutboxError):
        services.retry(db_session, OutboxMessage.id.type.python_type(int=1))


def _crash_after_smtp(app, settings) -> sender.Claim:
    """Claim, render and hand the message to SMTP, then 'die' before marking it sent."""
    database = current_db()
    claim = sender.claim_next(database, settings)
    assert claim is not None
    prepared = sender.prepare(database, settings, sender.templates(), claim)
    assert isinstance(prepared, sender.Prepared)
    from core.mail import send_mail

    send_mail(
        settings.mail,
        prepared.recipient.address,
        prepared.mail.subject,
        prepared.mail.body,
        message_id=sender.message_id_header(claim.message_id, settings.MAIL_FROM),
    )
    return claim


def test_a_crash_between_smtp_and_marking_sends_nothing_more_while_the_lease_holds(
    app, db_session, hello_template, smtp_server, send_outbox, time_travel
):
    _enqueue_in_request(app, hello_template, status=200)
    settings = app.config["HOMEWARD_SETTINGS"]
    with app.app_context():
        claim = _crash_after_smtp(app, settings)
    assert len(smtp_server.messages) == 1
    for seconds in (0, 60, 120):  # other senders (or a restarted one) within the lease
        time_travel(seconds=seconds)
        send_outbox()
    assert len(smtp_server.messages) == 1
    # The documented window: after the lease the message goes again, recognisably the same.
    time_travel(seconds=settings.OUTBOX_LEASE_SECONDS)
    send_outbox()
    first, second = smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"] == f"<outbox.{claim.message_id}@localhost>"
    assert _rows(db_session)[0].state == "sent"
    # The crashed sender's late mark finds its claim taken over and changes nothing.
    with app.app_context():
        assert sender.mark_sent(current_db(), claim) is False
    send_outbox()
    assert len(smtp_server.messages) == 2


def test_a_crash_before_smtp_sends_once_after_the_lease(
    app, db_session, hello_template, smtp_server, send_outbox, time_travel
):
    _enqueue_in_request(app, hello_template, status=200)
    settings = app.config["HOMEWARD_SETTINGS"]
    with app.app_context():
        assert sender.claim_next(current_db(), settings) is not None  # then the process dies
    send_outbox()
    assert smtp_server.messages == []
    time_travel(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    send_outbox()
    send_outbox()
    assert len(smtp_server.messages) == 1


def test_a_user_who_can_no_longer_receive_mail_is_not_written_to(
    app, db_session, hello_template, smtp_server, send_outbox
):
    from core.permissions import Role
    from tests.factories import make_account

    account = make_account(app, db_session, Role.CASEWORKER)
    account.user.active = False
    db_session.commit()
    services.enqueue(db_session, hello_template, {"n": 1}, user_id=account.user.id)
    db_session.commit()
    send_outbox()
    assert smtp_server.messages == []
    (row,) = _rows(db_session)
    assert (row.state, row.last_error) == ("discarded", "no_recipient")


def test_status_figures_report_the_backlog_and_the_dead_letters(app, db_session, hello_template):
    _enqueue_in_request(app, hello_template, status=200)
    _enqueue_in_request(app, hello_template, status=200, n=2)
    with app.app_context():
        figures = collect(status_figures_collecting, None, StatusFigure, session=db_session)
    values = {f.name: f.value for f in figures}
    assert values["homeward_outbox_pending"] == 2
    assert values["homeward_outbox_dead"] == 0
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert {s.value for s in OutboxState} == {"pending", "sent", "dead", "discarded"}


def test_a_message_whose_senders_keep_dying_becomes_a_dead_letter(
    app, db_session, hello_template, smtp_server, send_outbox, time_travel, override_settings
):
    override_settings(OUTBOX_MAX_ATTEMPTS=2)
    _enqueue_in_request(app, hello_template, status=200)
    settings = app.config["HOMEWARD_SETTINGS"]
    lease = settings.OUTBOX_LEASE_SECONDS
    with app.app_context():
        for n in range(2):  # claimed, then the process dies, twice
            time_travel(seconds=n * (lease + 1))
            assert sender.claim_next(current_db(), settings) is not None
    time_travel(seconds=2 * (lease + 1))
    send_outbox()
    assert smtp_server.messages == []
    (row,) = _rows(db_session)
    assert (row.state, row.attempts, row.last_error) == ("dead", 2, "attempt_abandoned")


def test_an_address_that_cannot_be_a_header_fails_its_message_not_the_sender(
    app, db_session, hello_template, smtp_server, send_outbox
):
    """A line break in an address (the CLI's --email is not checked) is refused by the e-mail
    library with a ValueError: that message fails and is retried, the others still go, the
    sender does not crash, and nothing is injected."""
    with app.app_context():
        db = get_session()
        services.enqueue(
            db, hello_template, {"n": 1}, address="a@agency.example\r\nBcc: x@evil.example"
        )
        services.enqueue(db, hello_template, {"n": 2}, address="desk2@agency.example")
        db.commit()
    output = send_outbox()
    assert "failed=1" in output and "sent=1" in output
    assert [m["To"] for m in smtp_server.messages] == ["desk2@agency.example"]
    failed = [r for r in _rows(db_session) if r.state == OutboxState.PENDING.value]
    assert [r.last_error for r in failed] == ["ValueError"]


def test_an_address_that_parses_as_several_recipients_is_not_sent(
    app, db_session, hello_template, smtp_server, send_outbox
):
    """smtplib takes the envelope from the To header, where a comma makes two recipients."""
    with app.app_context():
        db = get_session()
        services.enqueue(db, hello_template, {"n": 3}, address="x,desk3@agency.example")
        db.commit()
    assert "failed=1" in send_outbox()
    assert smtp_server.envelopes == []
    assert [r.last_error for r in _rows(db_session)] == ["ValueError"]
