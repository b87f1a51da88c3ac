"""The sign-in settings take effect in a running app when set as HOMEWARD_* environment
variables (the way an operator sets them), not only when a test replaces the Settings."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from auth.models import User
from core.app import create_app
from core.permissions import Role
from tests.factories import make_account, post_form, sign_in

#: What the test settings fix (make_settings); everything under test comes from the env.
BASE = dict(
    ENV="test",
    SECRET_KEY="test-secret-key-" + "x" * 32,
    SMTP_URL="",
    BASE_URL="http://127.0.0.1",
    RATELIMIT_STORAGE_URL="memory://",
    PASSWORD_HASH_TIME_COST=1,
    PASSWORD_HASH_MEMORY_KIB=1024,
    PASSWORD_HASH_PARALLELISM=1,
)


def _app_from_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, key_file: Any, db: Session, **env: str
) -> Flask:
    for name, value in env.items():
        monkeypatch.setenv(f"HOMEWARD_{name}", value)
    app = create_app({**BASE, "DATABASE_URL": database_url, "KEY_FILE": str(key_file)})
    app.extensions["homeward_db"].bind_connection(db.info["connection"])
    return app


def test_lockout_threshold_from_the_environment_locks_the_account(
    monkeypatch, database_url, key_file, app, db_session
):
    running = _app_from_env(monkeypatch, database_url, key_file, db_session, LOCKOUT_THRESHOLD="2")
    assert running.config["HOMEWARD_SETTINGS"].auth.lockout_threshold == 2
    account = make_account(running, db_session, Role.CASEWORKER)
    client = running.test_client()
    for _ in range(2):
        post_form(client, "/login", {"email": account.email, "password": "wrong " * 4})
    db_session.expire_all()
    user = db_session.get(User, account.user.id)
    assert user is not None and user.locked_until is not None


def test_session_idle_and_absolute_limits_from_the_environment_end_sessions(
    monkeypatch, database_url, key_file, app, db_session, time_travel
):
    running = _app_from_env(
        monkeypatch,
        database_url,
        key_file,
        db_session,
        SESSION_IDLE_MINUTES="5",
        SESSION_ABSOLUTE_HOURS="1",
    )
    account = make_account(running, db_session, Role.CASEWORKER)
    client = running.test_client()
    sign_in(client, account, db_session)
    assert client.get("/cases/").status_code == 200
    time_travel(minutes=6)  # past the 5 minutes idle, well within the default 30
    assert client.get("/cases/").status_code == 302
    sign_in(client, account, db_session)
    for _ in range(16):  # active every 4 minutes (never idle) for over an hour
        time_travel(minutes=6 + 4 * (_ + 1))
        response = client.get("/cases/")
        if response.status_code != 200:
            break
    assert response.status_code == 302  # the 1 hour absolute limit, not the default 12


def test_mfa_required_for_all_from_the_environment(
    monkeypatch, database_url, key_file, app, db_session
):
    running = _app_from_env(
        monkeypatch, database_url, key_file, db_session, MFA_REQUIRED_FOR_ALL="false"
    )
    account = make_account(running, db_session, Role.CASEWORKER, mfa=False)
    response = post_form(
        running.test_client(), "/login", {"email": account.email, "password": account.password}
    )
    assert response.status_code == 302
    assert "enrol" not in response.headers["Location"]
    monkeypatch.setenv("HOMEWARD_MFA_REQUIRED_FOR_ALL", "true")
    strict = _app_from_env(monkeypatch, database_url, key_file, db_session)
    newcomer = make_account(strict, db_session, Role.CASEWORKER, mfa=False)
    response = post_form(
        strict.test_client(), "/login", {"email": newcomer.email, "password": newcomer.password}
    )
    assert response.status_code == 302
    assert "enrol" in response.headers["Location"]


def test_login_rate_limit_from_the_environment(
    monkeypatch, database_url, key_file, app, db_session
):
    running = _app_from_env(
        monkeypatch, database_url, key_file, db_session, LOGIN_RATE_LIMIT="3 per minute"
    )
    client = running.test_client()
    codes = [
        post_form(
            client, "/login", {"email": "nobody@example.org", "password": "p" * 16}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("limit", ["3 a minute", "three per minute", ""])
def test_a_login_rate_limit_that_does_not_parse_is_refused_at_start(
    monkeypatch, database_url, key_file, app, db_session, limit
):
    """Flask-Limiter logs an unparsable dynamic limit and lets the request through: the
    sign-in pages would run unlimited. The setting is refused when the app starts instead."""
    from core.config import ConfigError

    with pytest.raises(ConfigError, match="LOGIN_RATE_LIMIT"):
        _app_from_env(monkeypatch, database_url, key_file, db_session, LOGIN_RATE_LIMIT=limit)
