"""Review: the TOTP-encryption migration on a database that is actually in use.

On SQLite the column's type was changed with a batch "move and copy", which drops
``user_account``; with foreign keys on, that DROP failed as soon as any row referenced an
account (a recovery code, a session, a case), so no SQLite database in use could upgrade.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from auth.models import User
from core import migrate
from core.app import create_app
from core.db import current_db, make_engine
from tests.auth.test_totp_at_rest import (
    BEFORE,
    SECRET,
    _dispose,
    _old_database_with_plaintext_secret,
    _raw_bytes,
    _revision,
    _stored_secret,
    scratch,  # noqa: F401  (fixture)
)
from tests.conftest import make_settings


def _referenced(url: str, user_id: uuid.UUID) -> None:
    """Rows that reference the account, as every database in use has."""
    codes = sa.table(
        "recovery_code",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("code_hash"),
    )
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(codes.insert().values(id=uuid.uuid4(), user_id=user_id, code_hash="h"))
    engine.dispose()


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_upgrade_and_downgrade_with_rows_referencing_the_accounts(backend, scratch):  # noqa: F811
    url, key_path = scratch
    user_id = _old_database_with_plaintext_secret(url)
    _referenced(url, user_id)

    app = create_app(make_settings(url, key_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    _dispose(app)
    assert _revision(url) != BEFORE
    assert _count(url, "recovery_code") == 1
    assert SECRET.encode() not in _raw_bytes(backend, url)
    assert migrate.drift_for_url(url) == []

    app = create_app(make_settings(url, key_path))
    with app.app_context():
        with current_db().session_scope() as db:
            user = db.get(User, user_id)
            assert user is not None and user.totp_secret == SECRET
        migrate.downgrade(url, BEFORE)
    _dispose(app)
    assert _stored_secret(url) == SECRET
    assert _count(url, "recovery_code") == 1
