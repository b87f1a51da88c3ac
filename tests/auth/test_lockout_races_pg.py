"""Lockout counters under parallel requests on PostgreSQL: every failure counts, once.

The counters were read-add-write: 30 parallel wrong passwords left ``failed_logins`` at 4,
19 wrong codes counted as 1, 15 wrong recovery codes as 1, so the lockout never came.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from auth import admin, mfa, services
from auth.models import User
from core import migrate
from core.app import create_app
from core.config import PROJECT_ROOT
from core.db import Database, normalise_url
from core.permissions import Role
from tests import databases
from tests.conftest import make_settings
from tests.factories import settings_of

pytestmark = pytest.mark.postgres_only
PASSWORD = "violet harbour seventeen kites"
EMAIL = "racer@example.org"
#: Argon2 cost of these tests: cheap, yet slow enough for parallel requests to overlap.
HASHING = {"PASSWORD_HASH_TIME_COST": 2, "PASSWORD_HASH_MEMORY_KIB": 8192}


@pytest.fixture
def scratch(backend: str, key_file: Path, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    if backend != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    url = databases.fresh_database(backend, tmp_path, "lockrace")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file, **HASHING))
    yield application, url
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


def _account(app: Flask) -> tuple[uuid.UUID, str]:
    database: Database = app.extensions["homeward_db"]
    with app.app_context(), database.session_scope() as db:
        org = admin.create_organisation(
            db,
            None,
            name="Agency",
            code="AGL",
            country="XK",
            is_case_agency=True,
            is_provider=False,
        )
        user = admin.create_user(
            db,
            None,
            email=EMAIL,
            display_name="Racer",
            organisation=org,
            role=Role.CASEWORKER,
            password=PASSWORD,
            settings=settings_of(app).auth,
        )
        secret = admin.enrol_totp_directly(db, user)
        return user.id, secret


def _in_parallel(
    app: Flask, url: str, user_id: uuid.UUID, count: int, attempt: Callable[[Session, User], bool]
) -> list[bool]:
    """``count`` threads, each in its own transaction, load the account and then all try."""
    engine = create_engine(normalise_url(url), pool_size=count + 2)
    loaded = threading.Barrier(count)
    results: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.test_request_context("/"), Session(engine) as db:
                user = db.get(User, user_id)
                assert user is not None
                loaded.wait(timeout=30)
                results.append(attempt(db, user))
                db.commit()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == [], [repr(e)[:200] for e in errors]
    return results


def _state(app: Flask, user_id: uuid.UUID) -> tuple[User, dict[str, int]]:
    database: Database = app.extensions["homeward_db"]
    with app.app_context(), database.session_scope() as db:
        user = db.get(User, user_id)
        assert user is not None
        db.expunge(user)
        events = db.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user_id))).all()
        counts: dict[str, int] = {}
        for event in events:
            key = f"{event.action}/{event.outcome}"
            counts[key] = counts.get(key, 0) + 1
        return user, counts


def _wrong_code(secret: str) -> str:
    valid = {pyotp.TOTP(secret).at(time.time() + s * mfa.INTERVAL) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def test_parallel_wrong_passwords_are_all_counted(scratch):
    app, url = scratch
    user_id, _secret = _account(app)
    auth = settings_of(app).auth
    results = _in_parallel(
        app,
        url,
        user_id,
        12,
        lambda db, _user: (
            services.check_password_step(db, EMAIL, "wrong " + PASSWORD, auth).user is not None
        ),
    )
    assert results == [False] * 12
    user, events = _state(app, user_id)
    assert user.failures_since_success == 12
    assert events["account.locked/denied"] == 2  # at the 6th and the 12th failure
    assert user.locked_until is not None and user.failed_logins == 0


def test_parallel_wrong_totp_codes_are_all_counted(scratch):
    app, url = scratch
    user_id, secret = _account(app)
    auth = settings_of(app).auth
    wrong = _wrong_code(secret)
    results = _in_parallel(
        app,
        url,
        user_id,
        19,
        lambda db, user: services.check_second_factor(db, user, wrong, auth),
    )
    assert results == [False] * 19
    user, events = _state(app, user_id)
    # The lock is read with a locking read, so the codes are tried one after another: six
    # are counted and lock the account; the other thirteen meet the lock (no more guesses).
    assert user.failures_since_success == 6
    assert events["mfa.failed/failed"] == 6
    assert events["mfa.failed/denied"] == 13
    assert events["account.locked/denied"] == 1
    assert user.locked_until is not None and user.failed_logins == 0


def test_parallel_wrong_recovery_codes_are_all_counted(scratch):
    app, url = scratch
    user_id, _secret = _account(app)
    auth = settings_of(app).auth
    results = _in_parallel(
        app,
        url,
        user_id,
        15,
        lambda db, user: services.check_second_factor(db, user, "aaaaa-bbbbb", auth),
    )
    assert results == [False] * 15
    user, events = _state(app, user_id)
    assert user.failures_since_success == 6  # then locked: the other nine meet the lock
    assert events["mfa.failed/denied"] == 9
    assert events["account.locked/denied"] == 1
    assert user.locked_until is not None and user.failed_logins == 0


# --- real workers: gunicorn, four processes ---------------------------------------------------


class Browser:
    """One HTTP client with its own cookies; redirects are returned, not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: object, **_kwargs: object) -> None:
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode()

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        _status, _location, page = self.request(path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        return self.request(path, {**data, "csrf_token": token.group(1)})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn(scratch, key_file: Path) -> Iterator[str]:
    """Homeward under gunicorn, 4 workers, on the scratch database; always stopped."""
    _app, url = scratch
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    env.update(
        HOMEWARD_ENV="test",
        HOMEWARD_DATABASE_URL=url,
        HOMEWARD_SECRET_KEY="gunicorn-test-secret-" + "x" * 32,
        HOMEWARD_KEY_FILE=str(key_file),
        HOMEWARD_BASE_URL="http://127.0.0.1",
        # Rate limits out of the way: the lockout must come from the account's counter.
        HOMEWARD_RATELIMIT_STORAGE_URL="memory://",
        HOMEWARD_LOGIN_RATE_LIMIT="10000 per minute",
        **{f"HOMEWARD_{k}": str(v) for k, v in HASHING.items()},
        HOMEWARD_PASSWORD_HASH_PARALLELISM="1",
    )
    binary = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(binary), "-w", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(base).request("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_four_workers_lock_an_account_after_30_parallel_wrong_passwords(scratch, gunicorn):
    app, _url = scratch
    user_id, secret = _account(app)
    # The owner is half-way through signing in when the attack starts.
    owner = Browser(gunicorn)
    status, location, _page = owner.post_form("/login", {"email": EMAIL, "password": PASSWORD})
    assert (status, location.endswith("/login/second-factor")) == (302, True)

    statuses: list[int] = []

    def attack() -> None:
        browser = Browser(gunicorn)
        statuses.append(browser.post_form("/login", {"email": EMAIL, "password": "guess " * 3})[0])

    threads = [threading.Thread(target=attack) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 30  # every guess refused with the same page

    user, events = _state(app, user_id)
    assert user.locked_until is not None
    # every guess that reached the password check was counted; the others met the lock
    assert events["login.failed/failed"] == user.failures_since_success
    assert user.failures_since_success + events.get("login.failed/denied", 0) == 30

    # Now the right password and a fresh code are refused alike.
    status, _location, _page = Browser(gunicorn).post_form(
        "/login", {"email": EMAIL, "password": PASSWORD}
    )
    assert status == 200
    status, location, _page = owner.post_form(
        "/login/second-factor", {"code": pyotp.TOTP(secret).now()}
    )
    assert not (status == 302 and location.endswith("/")), "signed in despite the lock"
    assert status == 200
