"""TOTP secrets at rest: sealed under the account's data key, never readable from the database.

They were stored in plaintext (``user_account.totp_secret``): a database dump or a backup
alone gave every account's second factor.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from auth import mfa
from auth.models import User
from core import migrate
from core.app import create_app
from core.clock import utcnow
from core.crypto import CryptoError
from core.db import UTCDateTime, current_db, make_engine
from core.keys import FileKeyProvider, new_keyring
from tests import databases
from tests.conftest import make_settings

BEFORE = "b4a2778c584f"  # the last revision with plaintext secrets
SECRET = pyotp.random_base32()


@pytest.fixture
def scratch(backend: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    url = databases.fresh_database(backend, tmp_path, "totp")
    key_path = tmp_path / "keys.json"
    FileKeyProvider(key_path).save(new_keyring(development=False))
    yield url, key_path
    if backend == "postgresql":
        databases.drop_postgres(url)


def _raw_bytes(backend: str, url: str) -> bytes:
    if backend == "sqlite":
        path = Path(make_url(url).database or "")
        files = [path, *path.parent.glob(path.name + "-*")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", libpq], check=True, capture_output=True).stdout


def _dispose(app: Flask) -> None:
    app.extensions["homeward_db"].engine.dispose()


def _valid_codes(secret: str) -> set[str]:
    return {pyotp.TOTP(secret).at(time.time() + s * mfa.INTERVAL) for s in (-1, 0, 1)}


def test_demo_database_and_its_dump_hold_no_totp_secret(backend, scratch, tmp_path):
    url, key_path = scratch
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_path))
    runner = app.test_cli_runner()
    credentials = tmp_path / "demo.json"
    result = runner.invoke(args=["demo", "--credentials-json", str(credentials)])
    assert result.exit_code == 0, result.output
    accounts = json.loads(credentials.read_text())
    assert len(accounts) >= 9 and all(a["totp_secret"] for a in accounts)

    # homeward demo-code still gives each demo account's current code
    for account in accounts[:2]:
        code = runner.invoke(args=["demo-code", account["email"]])
        assert code.exit_code == 0, code.output
        assert code.output.strip() in _valid_codes(account["totp_secret"])
    _dispose(app)

    raw = _raw_bytes(backend, url)
    assert accounts[0]["email"].encode() in raw  # the raw bytes do show stored data
    leaked = [a["email"] for a in accounts if a["totp_secret"].encode() in raw]
    assert leaked == []


def _old_database_with_plaintext_secret(url: str) -> uuid.UUID:
    """A database at the last revision before encryption, holding one enrolled account."""
    migrate.upgrade(url, BEFORE)
    org_id, user_id = uuid.uuid4(), uuid.uuid4()
    organisation = sa.table(
        "organisation",
        *(sa.column(c) for c in ("name", "code", "country", "is_case_agency", "is_provider")),
        sa.column("active"),
        sa.column("id", sa.Uuid()),
        sa.column("created_at", UTCDateTime()),
    )
    users = sa.table(
        "user_account",
        *(sa.column(c) for c in ("email", "display_name", "role", "preferred_language")),
        *(sa.column(c) for c in ("active", "failed_logins", "failures_since_success")),
        sa.column("totp_secret"),
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("created_at", UTCDateTime()),
        sa.column("mfa_enrolled_at", UTCDateTime()),
    )
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            organisation.insert().values(
                id=org_id,
                name="Old agency",
                code="OLD",
                country="XK",
                is_case_agency=True,
                is_provider=False,
                active=True,
                created_at=utcnow(),
            )
        )
        conn.execute(
            users.insert().values(
                id=user_id,
                email="old@example.org",
                display_name="Old",
                role="supervisor",
                preferred_language="en",
                active=True,
                failed_logins=0,
                failures_since_success=0,
                totp_secret=SECRET,
                organisation_id=org_id,
                created_at=utcnow(),
                mfa_enrolled_at=utcnow(),
            )
        )
    engine.dispose()
    return user_id


def _stored_secret(url: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT totp_secret FROM user_account")).scalar_one()
    finally:
        engine.dispose()


def _revision(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar())
    finally:
        engine.dispose()


def test_db_upgrade_encrypts_existing_plaintext_secrets(backend, scratch):
    url, key_path = scratch
    user_id = _old_database_with_plaintext_secret(url)
    app = create_app(make_settings(url, key_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    stored = _stored_secret(url)
    assert isinstance(stored, bytes) and SECRET.encode() not in stored
    _dispose(app)
    assert SECRET.encode() not in _raw_bytes(backend, url)

    # The account still signs in with its authenticator ...
    app = create_app(make_settings(url, key_path))
    with app.app_context(), current_db().session_scope() as db:
        user = db.get(User, user_id)
        assert user is not None and user.mfa_enrolled and user.totp_secret == SECRET
        with app.test_request_context("/"):
            assert mfa.verify_totp(db, user, pyotp.TOTP(SECRET).now())

    # ... after a master key rotation that retires the old version too.
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    retired = runner.invoke(args=["keys", "retire", "1"])
    assert retired.exit_code == 0, retired.output
    _dispose(app)
    app = create_app(make_settings(url, key_path))
    with app.app_context(), current_db().session_scope() as db:
        user = db.get(User, user_id)
        assert user is not None and user.totp_secret == SECRET

    # Downgrading writes the secret back as it was.
    with app.app_context():
        migrate.downgrade(url, BEFORE)
    _dispose(app)
    assert _stored_secret(url) == SECRET


def test_upgrade_without_key_material_changes_nothing(backend, scratch, tmp_path, monkeypatch):
    """Plain ``alembic upgrade`` with no key material stops before touching the secrets."""
    url, key_path = scratch
    _old_database_with_plaintext_secret(url)
    monkeypatch.delenv("HOMEWARD_KEYS", raising=False)
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(CryptoError, match="no key material"):
        migrate.upgrade(url)
    assert _revision(url) == BEFORE
    assert _stored_secret(url) == SECRET  # not lost either

    # With the key file configured (as the app loads it), plain alembic encrypts them.
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(key_path))
    migrate.upgrade(url)
    stored = _stored_secret(url)
    assert isinstance(stored, bytes) and SECRET.encode() not in stored
