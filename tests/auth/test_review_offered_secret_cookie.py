"""Review: the authenticator secret on offer does not travel readable in the session cookie.

Flask's session is the cookie itself: signed, not encrypted (base64 JSON, maybe zlib). The
secret offered at first sign-in (``pending_login.secret``) and after re-authentication
(``new_authenticator.secret``) sat in it in clear, sent with every request until confirmed,
so anyone who saw the cookie (a proxy or load-balancer log, a browser extension, a copy on
a shared computer) held the account's second factor for good once it was confirmed.
"""

from __future__ import annotations

import zlib

import pyotp
from itsdangerous import base64_decode

from core.permissions import Role
from tests.factories import forget_totp_step, make_account, post_form, shown_secret, sign_in

COOKIE = "homeward_session"


def _readable(client) -> str:
    """What anyone holding the cookie reads from it, without the app's secret key."""
    value = client.get_cookie(COOKIE).value
    compressed = value.startswith(".")
    payload = base64_decode(value.lstrip(".").split(".")[0])
    return (zlib.decompress(payload) if compressed else payload).decode()


def test_secret_offered_at_first_sign_in_is_not_readable_in_the_cookie(app, db_session, client):
    account = make_account(app, db_session, Role.AUDITOR, mfa=False)
    response = post_form(client, "/login", {"email": account.email, "password": account.password})
    assert response.headers["Location"].endswith("/login/enrol")
    secret = shown_secret(client, "/login/enrol")
    assert "pending_login" in _readable(client)  # the decoding does read the session
    assert secret not in _readable(client)
    # the offer still works: the secret shown enrols, once
    response = post_form(client, "/login/enrol", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and "recovery" in response.get_data(as_text=True).lower()
    assert secret not in _readable(client)


def test_secret_offered_after_reauthentication_is_not_readable_in_the_cookie(
    app, db_session, client
):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    forget_totp_step(db_session, account)
    response = post_form(
        client,
        "/account/second-factor",
        {"current_password": account.password, "code": account.code()},
    )
    assert response.status_code == 302
    secret = shown_secret(client, "/account/second-factor/confirm")
    assert secret == shown_secret(client, "/account/second-factor/confirm")  # kept per offer
    assert secret not in _readable(client)
    response = post_form(
        client, "/account/second-factor/confirm", {"code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200
