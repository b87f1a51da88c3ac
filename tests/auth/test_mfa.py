"""Second factor: TOTP with replay protection, recovery codes, enrolment, reset, replacement."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import select

from auth import mfa
from auth.models import User
from core.permissions import Role
from tests.factories import (
    forget_totp_step,
    make_account,
    override_settings,
    post_form,
    shown_secret,
    sign_in,
)


def _password_step(client, account):
    response = post_form(client, "/login", {"email": account.email, "password": account.password})
    assert response.status_code == 302
    return response


def test_replayed_totp_is_rejected(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    code = account.code()
    _password_step(client, account)
    assert post_form(client, "/login/second-factor", {"code": code}).status_code == 302
    post_form(client, "/logout", {}, token_from="/account")
    _password_step(client, account)
    response = post_form(client, "/login/second-factor", {"code": code})
    assert response.status_code == 200
    assert "That code is not valid" in response.get_data(as_text=True)


def test_totp_window_is_one_step_either_side():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = time.time()
    assert mfa.matching_step(secret, totp.at(now - 30), now) is not None
    assert mfa.matching_step(secret, totp.at(now + 30), now) is not None
    assert mfa.matching_step(secret, totp.at(now - 95), now) is None
    assert mfa.matching_step(secret, "12345", now) is None
    assert mfa.matching_step(secret, "abcdef", now) is None


def test_recovery_code_works_once(app, db_session, client):
    account = make_account(app, db_session, Role.SUPERVISOR)
    with app.app_context():
        codes = mfa.issue_recovery_codes(account.user)
        db_session.commit()
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = [c.code_hash for c in account.user.recovery_codes]
    assert all(c not in h for c, h in zip(codes, stored, strict=True))
    _password_step(client, account)
    assert post_form(client, "/login/second-factor", {"code": codes[0]}).status_code == 302
    post_form(client, "/logout", {}, token_from="/account")
    _password_step(client, account)
    response = post_form(client, "/login/second-factor", {"code": codes[0]})
    assert response.status_code == 200
    assert post_form(client, "/login/second-factor", {"code": codes[1].upper()}).status_code == 302


def test_second_factor_page_needs_password_step_first(client):
    response = client.get("/login/second-factor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_mfa_always_required_for_supervisor_even_when_setting_off(app, db_session, client):
    with override_settings(app, MFA_REQUIRED_FOR_ALL=False):
        caseworker = make_account(app, db_session, Role.CASEWORKER, mfa=False)
        supervisor = make_account(app, db_session, Role.SUPERVISOR, mfa=False)
        response = _password_step(client, caseworker)
        assert response.headers["Location"] == "/"
        post_form(client, "/logout", {}, token_from="/account")
        response = _password_step(client, supervisor)
        assert response.headers["Location"].endswith("/login/enrol")


def test_enrolment_at_first_sign_in_shows_qr_and_recovery_codes(app, db_session, client):
    account = make_account(app, db_session, Role.AUDITOR, mfa=False)
    response = _password_step(client, account)
    assert response.headers["Location"].endswith("/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page
    secret = shown_secret(client, "/login/enrol")
    assert (
        db_session.scalar(select(User.totp_secret_ciphertext).where(User.id == account.user.id))
        is None
    )
    response = post_form(client, "/login/enrol", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "recovery codes" in body.lower()
    assert client.get("/audit/").status_code == 200


def test_wrong_second_factor_counts_towards_lockout(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    _password_step(client, account)
    for _ in range(6):
        post_form(
            client, "/login/second-factor", {"code": "000000"}, token_from="/login/second-factor"
        )
    db_session.refresh(account.user)
    assert account.user.locked_until is not None


def test_administrator_reset_removes_second_factor(app, db_session, client):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    target = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, admin_account, db_session)
    url = f"/admin/users/{target.user.id}"
    response = post_form(client, f"{url}/reset-mfa", {}, token_from=url)
    assert response.status_code == 302
    db_session.refresh(target.user)
    assert target.user.totp_secret is None and not target.user.recovery_codes


def test_replace_own_authenticator_requires_reauthentication(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    response = post_form(
        client,
        "/account/second-factor",
        {"current_password": "wrong password for sure ok", "code": account.code()},
    )
    assert response.status_code == 200
    assert client.get("/account/second-factor/confirm").status_code == 302
    forget_totp_step(db_session, account)
    response = post_form(
        client,
        "/account/second-factor",
        {"current_password": account.password, "code": account.code()},
    )
    assert response.status_code == 302
    new_secret = shown_secret(client, "/account/second-factor/confirm")
    assert new_secret != account.totp_secret
    other_session = app.test_client()
    sign_in(other_session, account, db_session)
    # The offer belongs to the session that re-authenticated, not to the account.
    assert other_session.get("/account/second-factor/confirm").status_code == 302
    response = post_form(
        client, "/account/second-factor/confirm", {"code": pyotp.TOTP(new_secret).now()}
    )
    assert response.status_code == 200
    db_session.expire_all()
    user = db_session.get(User, account.user.id)
    assert user.totp_secret == new_secret
