"""Review: a lock set by parallel failures holds against a right answer already in flight.

Each request checked ``locked_until`` on the account as it loaded it, before the slow
password hash. In a burst of guesses every request loads the account unlocked, so the lock
the wrong ones set came too late for the others: a right password (or code) in the same
burst passed, and completing the sign-in then cleared the lock. Parallelism bought as many
guesses as the server could hash, past the lockout and the permanent ceiling alike.

PostgreSQL here, with threads of its own; the same in-flight password on SQLite, whose
requests now read without the write lock (core.sqlite_writer), is in
tests/core/test_sqlite_writer.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from auth import admin, mfa, services
from auth.models import RecoveryCode, User
from core.clock import utcnow
from core.db import Database, normalise_url
from core.permissions import Role
from tests.auth.test_lockout_races_pg import EMAIL, PASSWORD, scratch  # noqa: F401
from tests.factories import settings_of

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def account(scratch) -> Iterator[tuple[Flask, str, uuid.UUID, str, list[str]]]:  # noqa: F811
    app, url = scratch
    database: Database = app.extensions["homeward_db"]
    with app.app_context(), database.session_scope() as db:
        org = admin.create_organisation(
            db,
            None,
            name="Agency",
            code="AGS",
            country="XK",
            is_case_agency=True,
            is_provider=False,
        )
        user = admin.create_user(
            db,
            None,
            email=EMAIL,
            display_name="Snapshot",
            organisation=org,
            role=Role.SUPERVISOR,
            password=PASSWORD,
            settings=settings_of(app).auth,
        )
        secret = admin.enrol_totp_directly(db, user)
        codes = mfa.issue_recovery_codes(user)
        user_id = user.id
    yield app, url, user_id, secret, codes


def _lock_meanwhile(url: str, user_id: uuid.UUID) -> None:
    """What the parallel wrong guesses did while this request was hashing: lock, commit."""
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(
            update(User)
            .where(User.id == user_id)
            .values(locked_until=utcnow() + timedelta(minutes=30), failed_logins=0)
        )
    engine.dispose()


def test_right_password_in_flight_is_refused_once_the_account_is_locked(account):
    app, url, user_id, _secret, _codes = account
    engine = create_engine(normalise_url(url))
    with app.test_request_context("/"), Session(engine) as db:
        loaded = db.get(User, user_id)  # the request loaded the account: not locked yet
        assert loaded is not None and loaded.locked_until is None
        _lock_meanwhile(url, user_id)
        assert services.check_password_step(db, EMAIL, PASSWORD, settings_of(app).auth).user is None
        db.commit()
    engine.dispose()


def test_right_code_in_flight_is_refused_once_the_account_is_locked(account):
    app, url, user_id, secret, _codes = account
    engine = create_engine(normalise_url(url))
    with app.test_request_context("/"), Session(engine) as db:
        user = db.get(User, user_id)  # the pending sign-in's account, loaded unlocked
        assert user is not None
        _lock_meanwhile(url, user_id)
        assert not services.check_second_factor(
            db, user, pyotp.TOTP(secret).now(), settings_of(app).auth
        )
        db.commit()
    engine.dispose()


def test_recovery_code_in_flight_is_refused_and_not_spent_once_locked(account):
    app, url, user_id, _secret, codes = account
    engine = create_engine(normalise_url(url))
    with app.test_request_context("/"), Session(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        _lock_meanwhile(url, user_id)
        assert not services.check_second_factor(db, user, codes[0], settings_of(app).auth)
        db.commit()
    with Session(engine) as db:
        used = db.scalars(select(RecoveryCode.used_at).where(RecoveryCode.user_id == user_id)).all()
        assert all(u is None for u in used)  # the owner keeps all ten
    engine.dispose()


def test_reauthentication_in_flight_is_refused_once_locked(account):
    app, url, user_id, secret, _codes = account
    engine = create_engine(normalise_url(url))
    with app.test_request_context("/"), Session(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        _lock_meanwhile(url, user_id)
        actor = services.actor_for(user)
        assert not services.reauthenticate(
            db, actor, user, PASSWORD, pyotp.TOTP(secret).now(), settings_of(app).auth
        )
        db.commit()
    engine.dispose()
