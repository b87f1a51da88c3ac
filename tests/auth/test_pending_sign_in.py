"""The half-finished sign-in (password passed, second step to come) works once.

It lived only in the browser's signed cookie: a copy taken before a completed sign-in could
be replayed for five minutes with a new valid code.
"""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from auth import services
from auth.models import User, UserSession
from core.permissions import Role
from tests.factories import (
    csrf_token,
    forget_totp_step,
    make_account,
    post_form,
    shown_secret,
    sign_in,
)

COOKIE = "homeward_session"


def _sessions(db_session, account) -> int:
    return db_session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == account.user.id)
    )


def test_pending_sign_in_cookie_cannot_be_replayed_after_a_completed_sign_in(
    app, db_session, client
):
    account = make_account(app, db_session, Role.CASEWORKER)
    response = post_form(client, "/login", {"email": account.email, "password": account.password})
    assert response.headers["Location"].endswith("/login/second-factor")
    token = csrf_token(client, "/login/second-factor")
    stolen = client.get_cookie(COOKIE).value  # as the second step's page left it
    response = client.post(
        "/login/second-factor", data={"code": account.code(), "csrf_token": token}
    )
    assert response.status_code == 302 and not response.headers["Location"].endswith("/login")
    assert _sessions(db_session, account) == 1

    forget_totp_step(db_session, account)  # a new valid code (as in the next 30 seconds)
    replay = app.test_client()
    replay.set_cookie(COOKIE, stolen)
    response = replay.post(
        "/login/second-factor", data={"code": account.code(), "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert _sessions(db_session, account) == 1
    assert replay.get("/").status_code == 302  # not signed in


def test_a_half_finished_sign_in_is_claimed_once(app, db_session, request_ctx):
    """Two completions racing past the page checks: the conditional UPDATE lets one through."""
    from auth.services import SignInClaim, SignInExpired

    account = make_account(app, db_session, Role.CASEWORKER)
    claim = SignInClaim(account.user.last_login_at)
    services.claim_sign_in(db_session, account.user, claim)
    with pytest.raises(SignInExpired):
        services.claim_sign_in(db_session, account.user, claim)
    denied = db_session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.object_id == str(account.user.id), AuditEvent.outcome == "denied"
        )
    ).all()
    assert any("sign_in_already_completed" in d for d in denied)


def test_new_authenticator_offer_cannot_be_replayed_after_it_was_confirmed(app, db_session, client):
    """Same pattern after re-authentication: the offered secret enrols once."""
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    forget_totp_step(db_session, account)
    response = post_form(
        client,
        "/account/second-factor",
        {"current_password": account.password, "code": account.code()},
    )
    assert response.status_code == 302
    new_secret = shown_secret(client, "/account/second-factor/confirm")
    token = csrf_token(client, "/account/second-factor/confirm")
    copy = client.get_cookie(COOKIE).value
    response = client.post(
        "/account/second-factor/confirm",
        data={"code": pyotp.TOTP(new_secret).now(), "csrf_token": token},
    )
    assert response.status_code == 200  # the recovery codes
    db_session.expire_all()
    codes_before = {c.code_hash for c in db_session.get(User, account.user.id).recovery_codes}

    forget_totp_step(db_session, account)
    replay = app.test_client()
    replay.set_cookie(COOKIE, copy)
    response = replay.post(
        "/account/second-factor/confirm",
        data={"code": pyotp.TOTP(new_secret).now(), "csrf_token": token},
    )
    assert response.status_code == 302
    db_session.expire_all()
    codes_after = {c.code_hash for c in db_session.get(User, account.user.id).recovery_codes}
    assert codes_after == codes_before  # no new recovery codes for whoever replayed
