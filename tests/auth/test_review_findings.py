"""Attacks found by the identity review, each now refused."""

from __future__ import annotations

import logging
import re

import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from audit.models import AuditEvent
from auth import mfa, passwords
from auth.models import User
from core.permissions import Role
from tests.factories import (
    forget_totp_step,
    make_account,
    make_organisation,
    post_form,
    shown_secret,
    sign_in,
)


def _password_step(client, account):
    return post_form(client, "/login", {"email": account.email, "password": account.password})


def test_enrolment_secret_cannot_be_copied_by_someone_with_the_password(app, db_session):
    """F1: each enrolment attempt gets its own secret; only a confirmed one is kept."""
    owner = make_account(app, db_session, Role.ADMINISTRATOR, mfa=False)
    attacker, victim = app.test_client(), app.test_client()
    _password_step(attacker, owner)
    stolen = shown_secret(attacker, "/login/enrol")
    _password_step(victim, owner)
    real = shown_secret(victim, "/login/enrol")
    assert stolen != real
    assert post_form(victim, "/login/enrol", {"code": pyotp.TOTP(real).now()}).status_code == 200
    later = app.test_client()
    _password_step(later, owner)
    response = post_form(later, "/login/second-factor", {"code": pyotp.TOTP(stolen).now()})
    assert response.status_code == 200 and "not valid" in response.get_data(as_text=True)


def test_after_a_reset_only_the_emailed_link_allows_enrolment(
    app, db_session, client, smtp_server, send_outbox
):
    """F1: a password alone does not re-enrol an account whose authenticator was reset."""
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    target = make_account(app, db_session, Role.CASEWORKER)
    sign_in(app.test_client(), target, db_session)  # has signed in before
    sign_in(client, admin_account, db_session)
    url = f"/admin/users/{target.user.id}"
    post_form(client, f"{url}/reset-mfa", {}, token_from=url)
    send_outbox()
    body = smtp_server.last_body()
    link = re.search(r"http://127\.0\.0\.1(/enrolment/[\w-]+)", body).group(1)
    attacker = app.test_client()
    response = _password_step(attacker, target)
    assert response.status_code == 200 and "link in the e-mail" in response.get_data(as_text=True)
    assert attacker.get("/login/enrol").status_code == 302
    owner = app.test_client()
    assert post_form(owner, link, {"password": target.password}).status_code == 302
    secret = shown_secret(owner, "/login/enrol")
    assert post_form(owner, "/login/enrol", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert owner.get("/cases/").status_code == 200
    assert app.test_client().get(link).status_code == 404  # single use


def test_users_of_a_deactivated_organisation_cannot_finish_signing_in(app, db_session, smtp_server):
    """F2: the second step and invitation links check the organisation too."""
    org = make_organisation(app, db_session)
    account = make_account(app, db_session, Role.CASEWORKER, organisation=org)
    half = app.test_client()
    _password_step(half, account)
    org.active = False
    db_session.commit()
    response = post_form(
        half, "/login/second-factor", {"code": account.code()}, token_from="/login"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert half.get("/cases/").status_code == 302


def test_administrator_cannot_lock_everyone_out(app, db_session, client):
    """F3: not their own organisation, not the last administrator."""
    only_admin = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, only_admin, db_session)
    org_url = f"/admin/organisations/{only_admin.user.organisation_id}"
    org = only_admin.user.organisation
    response = post_form(
        client,
        org_url,
        {"name": org.name, "code": org.code, "country": org.country, "is_case_agency": "y"},
    )
    assert "cannot deactivate your own organisation" in response.get_data(as_text=True)
    db_session.refresh(org)
    assert org.active
    db_session.execute(
        update(User)
        .where(User.role == "administrator", User.id != only_admin.user.id)
        .values(active=False)
    )
    db_session.commit()
    other_org = make_organisation(app, db_session)
    second = make_account(app, db_session, Role.ADMINISTRATOR, organisation=other_org)
    response = post_form(
        client,
        f"/admin/organisations/{other_org.id}",
        {"name": other_org.name, "code": other_org.code, "country": "XK", "is_case_agency": "y"},
    )
    assert response.status_code == 302  # another administrator (this one) remains
    db_session.refresh(second.user)


def test_over_long_password_is_never_hashed_for_any_address(app, db_session, client, monkeypatch):
    """F4: known and unknown addresses take the same path for over-long passwords."""
    account = make_account(app, db_session, Role.CASEWORKER)
    calls = []
    real = passwords.hasher
    monkeypatch.setattr(passwords, "hasher", lambda params: calls.append(1) or real(params))
    for email in (account.email, "nobody@example.org"):
        post_form(client, "/login", {"email": email, "password": "x" * 129})
    assert calls == []


def test_invited_account_without_password_costs_a_hash_like_the_rest(
    app, db_session, client, monkeypatch
):
    """F4: an invited account (no password yet) is not answered faster."""
    account = make_account(app, db_session, Role.CASEWORKER)
    account.user.password_hash = None
    db_session.commit()
    calls = []
    real = passwords.hasher
    monkeypatch.setattr(passwords, "hasher", lambda params: calls.append(1) or real(params))
    post_form(client, "/login", {"email": account.email, "password": "some password here!"})
    assert calls


def test_reauthentication_failures_lock_the_account(app, db_session, client):
    """F5: guessing the password on the re-authentication step counts towards lockout."""
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    for _ in range(6):
        post_form(
            client,
            "/account/password",
            {
                "current_password": "wrong guess number one",
                "code": "000000",
                "password": "granite willow kestrel dawn",
                "confirm": "granite willow kestrel dawn",
            },
        )
    db_session.refresh(account.user)
    assert account.user.locked_until is not None
    assert client.get("/cases/").status_code == 302  # the session ended with the lock


def test_a_totp_step_cannot_be_spent_twice_by_racing_requests(app, db_session, request_ctx):
    """F6: the step is consumed by a conditional UPDATE, not a read-then-write."""
    account = make_account(app, db_session, Role.CASEWORKER)
    forget_totp_step(db_session, account)
    user = db_session.get(User, account.user.id)
    code = account.code()
    assert mfa.verify_totp(db_session, user, code)
    set_committed_value(user, "totp_last_step", None)  # a second request that read earlier
    assert not mfa.verify_totp(db_session, user, code)


def test_pending_sign_in_dies_when_the_password_changes(app, db_session, client):
    """F11: the second step started with an old password is refused after a change."""
    account = make_account(app, db_session, Role.CASEWORKER)
    _password_step(client, account)
    account.user.password_changed_at = account.user.password_changed_at.replace(year=2030)
    db_session.commit()
    response = post_form(
        client, "/login/second-factor", {"code": account.code()}, token_from="/login"
    )
    assert response.headers["Location"].endswith("/login")


def test_reset_link_dies_when_the_password_changes(
    app, db_session, client, smtp_server, send_outbox
):
    """F11: a password change voids outstanding links."""
    account = make_account(app, db_session, Role.CASEWORKER)
    post_form(client, "/password-reset", {"email": account.email})
    send_outbox()
    link = re.search(r"http://127\.0\.0\.1(/password-reset/[\w-]+)", smtp_server.last_body()).group(
        1
    )
    sign_in(client, account, db_session)
    forget_totp_step(db_session, account)
    post_form(
        client,
        "/account/password",
        {
            "current_password": account.password,
            "code": account.code(),
            "password": "granite willow kestrel dawn",
            "confirm": "granite willow kestrel dawn",
        },
    )
    send_outbox()
    assert "password changed" in smtp_server.messages[-1]["Subject"].lower()
    assert app.test_client().get(link).status_code == 404


def test_rejected_links_and_rate_limits_are_audited(app, db_session, client):
    """F10: refusals survive the rollback of the failed request."""
    assert client.get("/invitation/not-a-real-token").status_code == 404
    for _ in range(22):
        post_form(client, "/login", {"email": "a@example.org", "password": "whatever password"})
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "invitation.rejected" in actions and "request.rate_limited" in actions


def test_nul_bytes_are_a_400_not_a_500(app, db_session, client):
    """F9: PostgreSQL refuses NUL characters; the app refuses them first."""
    for data in ({"email": "a\x00b@example.org", "password": "p" * 20},):
        token = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)
        ).group(1)
        assert client.post("/login", data={**data, "csrf_token": token}).status_code == 400
    assert client.get("/login?next=/\x00").status_code == 400


def test_unhandled_errors_are_logged_without_their_text(app, db_session, caplog):
    """F8: the log keeps the exception type and endpoint, never its message or traceback."""
    from core.app import create_app
    from core.security import public
    from tests.conftest import make_settings

    boom_app = create_app(
        make_settings(
            app.config["HOMEWARD_SETTINGS"].DATABASE_URL,
            app.config["HOMEWARD_SETTINGS"].KEY_FILE,
            extra={"PROPAGATE_EXCEPTIONS": False},
        )
    )
    boom_app.extensions["homeward_db"].bind_connection(db_session.info["connection"])

    @boom_app.get("/boom")
    @public
    def boom():
        raise ValueError("Farida Nazari 1994-03-15")

    with caplog.at_level(logging.ERROR):
        assert boom_app.test_client().get("/boom").status_code == 500
    text = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "ValueError" in text and "Farida" not in text


@pytest.mark.parametrize("kind", ["provider", "agency"])
def test_organisation_kind_cannot_strand_its_users(app, db_session, client, kind):
    """F15: switching off a kind that existing users' roles depend on is refused."""
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    org = make_organisation(app, db_session, agency=True, provider=True)
    role = Role.PROVIDER_STAFF if kind == "provider" else Role.CASEWORKER
    make_account(app, db_session, role, organisation=org)
    sign_in(client, admin_account, db_session)
    data = {
        "name": org.name,
        "code": org.code,
        "country": "XK",
        "active": "y",
        "is_case_agency": "y" if kind == "provider" else "",
        "is_provider": "y" if kind == "agency" else "",
    }
    response = post_form(
        client, f"/admin/organisations/{org.id}", {k: v for k, v in data.items() if v}
    )
    assert response.status_code == 200 and "still belong to it" in response.get_data(as_text=True)
