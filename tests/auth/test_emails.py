"""Account e-mail through the outbox: rendered at send time in the account's language, the
link issued only then (the outbox holds no usable secret), and nothing for an account that
can no longer use it."""

from __future__ import annotations

import re

from babel.support import Translations
from sqlalchemy import func, select

from auth.models import AccountToken, User
from core.config import PROJECT_ROOT
from core.outbox.models import OutboxMessage
from core.permissions import Role
from tests.factories import make_account, make_organisation, post_form, sign_in

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def _catalogue(locale: str) -> Translations:
    return Translations.load(str(PROJECT_ROOT / "translations"), [locale])


def _invite(app, db_session, client, language: str) -> User:
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    org = make_organisation(app, db_session)
    sign_in(client, admin_account, db_session)
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": f"invitee.{language}@agency.local",
            "display_name": "Gulalai Newcomer",
            "organisation": str(org.id),
            "role": "caseworker",
            "preferred_language": language,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db_session.scalar(select(User).where(User.email == f"invitee.{language}@agency.local"))
    assert user is not None
    return user


def test_an_invitation_to_a_pashto_user_is_in_pashto(
    app, db_session, client, smtp_server, send_outbox
):
    _invite(app, db_session, client, "ps")
    send_outbox()
    (message,) = smtp_server.messages
    pashto = _catalogue("ps")
    assert message["Content-Language"] == "ps"
    body = smtp_server.last_body()
    greeting = pashto.gettext("Welcome to Homeward")
    assert ARABIC_SCRIPT.search(greeting)  # the catalogue has it: the test means something
    assert body.startswith(greeting)
    subject = pashto.gettext("Your Homeward account")
    assert message["Subject"] == subject
    if subject != "Your Homeward account":  # once translated, it is in Pashto's script
        assert ARABIC_SCRIPT.search(str(message["Subject"]))
    assert "Gulalai" not in body and "Newcomer" not in body


def test_the_outbox_holds_no_link_the_token_is_issued_when_sent(
    app, db_session, client, smtp_server, send_outbox
):
    user = _invite(app, db_session, client, "en")
    (row,) = db_session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    assert row.params == {"hours": 72}
    assert row.address is None
    tokens = select(func.count()).select_from(AccountToken).where(AccountToken.user_id == user.id)
    assert db_session.scalar(tokens) == 0
    send_outbox()
    assert db_session.scalar(tokens) == 1
    assert re.search(r"/invitation/[\w-]{20,}", smtp_server.last_body())


def test_no_invitation_goes_to_an_account_deactivated_before_it_was_sent(
    app, db_session, client, smtp_server, send_outbox
):
    user = _invite(app, db_session, client, "en")
    user.active = False
    db_session.commit()
    send_outbox()
    assert smtp_server.messages == []
    (row,) = db_session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db_session.refresh(row)
    assert (row.state, row.last_error) == ("discarded", "no_recipient")


def test_a_reset_still_in_the_outbox_dies_with_a_password_change(
    app, db_session, client, smtp_server, send_outbox
):
    """F11 holds for links not yet sent: the change comes first, the reset is not sent."""
    from tests.factories import forget_totp_step

    account = make_account(app, db_session, Role.CASEWORKER)
    post_form(client, "/password-reset", {"email": account.email})
    sign_in(client, account, db_session)
    forget_totp_step(db_session, account)
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": account.password,
            "code": account.code(),
            "password": "granite willow kestrel dawn",
            "confirm": "granite willow kestrel dawn",
        },
    )
    assert response.status_code == 302
    send_outbox()
    assert [str(m["Subject"]) for m in smtp_server.messages] == ["Your Homeward password changed"]
    assert "/password-reset/" not in smtp_server.last_body()
    tokens = select(func.count()).select_from(AccountToken)
    assert db_session.scalar(tokens.where(AccountToken.user_id == account.user.id)) == 0


def test_a_reset_still_in_the_outbox_dies_with_a_deactivation_even_after_reactivation(
    app, db_session, client, smtp_server, send_outbox
):
    """Deactivation ends every link (tokens.revoke_all); one still in the outbox must die too,
    or reactivating the account later sends a reset link asked for before it was shut."""
    account = make_account(app, db_session, Role.CASEWORKER)
    post_form(client, "/password-reset", {"email": account.email})
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    admin_client = app.test_client()
    sign_in(admin_client, admin_account, db_session)
    url = f"/admin/users/{account.user.id}"
    for action in ("deactivate", "reactivate"):
        response = post_form(admin_client, f"{url}/{action}", {}, token_from=url)
        assert response.status_code in (302, 303), response.get_data(as_text=True)
    db_session.refresh(account.user)
    assert account.user.active
    send_outbox()
    assert all("/password-reset/" not in m.get_content() for m in smtp_server.messages)
    tokens = select(func.count()).select_from(AccountToken)
    assert db_session.scalar(tokens.where(AccountToken.user_id == account.user.id)) == 0


def test_a_resent_invitation_replaces_the_one_still_in_the_outbox(
    app, db_session, client, smtp_server, send_outbox
):
    """The flash says earlier links no longer work: an invitation still waiting (SMTP was down,
    or a dead letter retried later) must not go out after the new one and end its link."""
    user = _invite(app, db_session, client, "en")
    (first,) = db_session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    first.state = "dead"  # its attempts used up while SMTP was down
    db_session.commit()
    url = f"/admin/users/{user.id}"
    response = post_form(client, f"{url}/resend-invitation", {}, token_from=url)
    assert response.status_code in (302, 303)
    send_outbox()
    response = post_form(client, f"/admin/outbox/{first.id}/retry", {}, token_from="/admin/outbox")
    send_outbox()
    assert len(smtp_server.messages) == 1
    link = re.search(r"/invitation/[\w-]{20,}", smtp_server.last_body())
    assert link is not None
    assert app.test_client().get(link.group(0)).status_code == 200
