"""Sign-in: one message for every failure, lockout per account, rate limit, rehash."""

from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from auth.models import User
from core.permissions import Role
from tests.factories import make_account, override_settings, post_form, sign_in

GENERIC = "That e-mail address and password do not match an active account."


def _try(client, email, password):
    return post_form(client, "/login", {"email": email, "password": password})


def test_same_message_for_unknown_wrong_locked_inactive(app, db_session, client):
    locked = make_account(app, db_session, Role.CASEWORKER)
    inactive = make_account(app, db_session, Role.CASEWORKER)
    inactive.user.active = False
    db_session.commit()
    for _ in range(6):
        _try(client, locked.email, "wrong password entirely here")
    bodies = [
        _try(client, "nobody@example.org", "whatever password here 1").get_data(as_text=True),
        _try(client, locked.email, "wrong password entirely here").get_data(as_text=True),
        _try(client, locked.email, locked.password).get_data(as_text=True),
        _try(client, inactive.email, inactive.password).get_data(as_text=True),
    ]
    for body in bodies:
        assert GENERIC in body
    assert len({b.replace(locked.email, "").replace(inactive.email, "") for b in bodies}) >= 1


def test_lockout_after_six_failures_for_that_account_only(app, db_session, client):
    victim = make_account(app, db_session, Role.CASEWORKER)
    bystander = make_account(app, db_session, Role.CASEWORKER)
    for _ in range(5):
        _try(client, victim.email, "not the right password at all")
    db_session.refresh(victim.user)
    assert victim.user.locked_until is None
    _try(client, victim.email, "not the right password at all")
    db_session.refresh(victim.user)
    assert victim.user.locked_until is not None
    # The right password no longer works while locked ...
    response = _try(client, victim.email, victim.password)
    assert GENERIC in response.get_data(as_text=True)
    # ... but the other account is untouched.
    sign_in(client, bystander, db_session)
    events = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(victim.user.id))
    ).all()
    assert "account.locked" in events


def test_lock_expires_after_configured_minutes(app, db_session, client, time_travel):
    account = make_account(app, db_session, Role.CASEWORKER)
    for _ in range(6):
        _try(client, account.email, "not the right password at all")
    time_travel(minutes=31)
    sign_in(client, account, db_session)


def test_rate_limit_answers_429(app, db_session, client):
    statuses = [
        _try(client, "flood@example.org", "some password or other").status_code for _ in range(25)
    ]
    assert 429 in statuses
    assert statuses[0] == 200


def test_successful_login_resets_failures_and_audits(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    _try(client, account.email, "not the right password at all")
    sign_in(client, account, db_session)
    db_session.refresh(account.user)
    assert account.user.failed_logins == 0
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_user_id == account.user.id)
    ).all()
    assert "login.succeeded" in actions


def test_rehash_on_login_when_parameters_change(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER)
    before = account.user.password_hash
    with override_settings(app, PASSWORD_HASH_MEMORY_KIB=2048):
        sign_in(client, account, db_session)
    after = db_session.scalar(select(User.password_hash).where(User.id == account.user.id))
    assert after != before and "m=2048" in after


def test_next_redirect_only_to_local_paths(app, db_session, client):
    account = make_account(app, db_session, Role.CASEWORKER, mfa=False)
    with override_settings(app, MFA_REQUIRED_FOR_ALL=False):
        for target, expected in [
            ("/account", "/account"),
            ("https://evil.example/", "/"),
            ("//evil.example/x", "/"),
            ("/\\evil.example", "/"),
        ]:
            response = post_form(
                client,
                f"/login?next={target}",
                {"email": account.email, "password": account.password},
                token_from="/login",
            )
            assert response.status_code == 302
            assert response.headers["Location"] == expected, target
            post_form(client, "/logout", {}, token_from="/account")
