"""The administrator's outbox page: counts per state, the dead letters (template, attempts,
error class; never an address or text), and audited retry and discard by POST with CSRF."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.outbox import services
from core.outbox.models import OutboxMessage
from core.permissions import Role
from tests.factories import make_account, post_form, sign_in

PAGE = "/admin/outbox"
ADDRESS = "desk.officer@agency.example"


@pytest.fixture
def dead_letter(app, db_session) -> OutboxMessage:
    message = services.enqueue(
        db_session, "referrals.notification", {"kind": "referral_sent"}, address=ADDRESS
    )
    assert message is not None
    message.state = "dead"
    message.attempts = 8
    message.last_error = "SMTPRecipientsRefused"
    services.enqueue(db_session, "auth.password_changed", {}, user_id=uuid.uuid4())
    db_session.commit()
    return message


@pytest.fixture
def admin_client(app, db_session, client):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    return client


def _events(db_session, action: str) -> list[AuditEvent]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_page_shows_counts_and_dead_letters_without_addresses(
    db_session, admin_client, dead_letter
):
    response = admin_client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="outbox-pending">1<' in page
    assert 'id="outbox-dead">1<' in page
    assert "referrals.notification" in page
    assert "SMTPRecipientsRefused" in page
    assert ADDRESS not in page and "desk.officer" not in page
    assert f'action="{PAGE}/{dead_letter.id}/retry"' in page
    assert len(_events(db_session, "outbox.viewed")) == 1


def test_administrators_find_it_in_the_navigation_and_others_may_not_open_it(
    app, db_session, admin_client
):
    assert f'href="{PAGE}"' in admin_client.get("/account").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, make_account(app, db_session, Role.SUPERVISOR), db_session)
    assert f'href="{PAGE}"' not in other.get("/account").get_data(as_text=True)
    assert other.get(PAGE).status_code == 403


def test_retry_gives_a_dead_letter_fresh_attempts_and_is_audited(
    db_session, admin_client, dead_letter
):
    response = post_form(admin_client, f"{PAGE}/{dead_letter.id}/retry", {}, token_from=PAGE)
    assert response.status_code == 303
    db_session.refresh(dead_letter)
    assert (dead_letter.state, dead_letter.attempts) == ("pending", 0)
    (event,) = _events(db_session, "outbox.retried")
    assert event.object_id == str(dead_letter.id)
    assert event.details_dict == {"template": "referrals.notification"}


def test_discard_gives_it_up_and_is_audited(db_session, admin_client, dead_letter):
    response = post_form(admin_client, f"{PAGE}/{dead_letter.id}/discard", {}, token_from=PAGE)
    assert response.status_code == 303
    db_session.refresh(dead_letter)
    assert dead_letter.state == "discarded"
    assert len(_events(db_session, "outbox.discarded")) == 1
    again = post_form(admin_client, f"{PAGE}/{dead_letter.id}/retry", {}, token_from=PAGE)
    assert again.status_code == 303  # no longer a dead letter: told so, nothing changed
    db_session.refresh(dead_letter)
    assert dead_letter.state == "discarded"
    assert "no longer a dead letter" in admin_client.get(PAGE).get_data(as_text=True)
    assert _events(db_session, "outbox.retried") == []


def test_changes_need_the_csrf_token_and_a_real_message(db_session, admin_client, dead_letter):
    response = admin_client.post(f"{PAGE}/{dead_letter.id}/retry")
    assert response.status_code == 400
    db_session.refresh(dead_letter)
    assert dead_letter.state == "dead"
    missing = post_form(admin_client, f"{PAGE}/{uuid.uuid4()}/discard", {}, token_from=PAGE)
    assert missing.status_code == 404
    assert admin_client.get(f"{PAGE}/{dead_letter.id}/retry").status_code == 405
