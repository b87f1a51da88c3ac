"""Review: the free-text migration must not leave the old plaintext in the database files.

Dropping the old plain column does not remove its bytes: PostgreSQL only marks a dropped
column (every live row still carries the value, and the rows the encryption rewrote stay as
dead tuples), and SQLite without ``secure_delete`` leaves freed pages as they were. The
erased person's texts, which the upgrade "drops as erasure meant", would stay readable with
``strings`` on the data files. The TOTP migration already overwrites and rewrites; this one
must too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from core import migrate
from core.db import make_engine
from tests.casework.test_free_text_migration import BEFORE, _seed

TABLES = ("emergency_access", "case_transfer", "referral")


@pytest.fixture
def database(backend, tmp_path):
    from tests import databases

    url = databases.fresh_database(backend, tmp_path, "residue")
    yield url
    if backend == "postgresql":
        databases.drop_postgres(url)


@pytest.fixture
def without_default_secure_delete():
    """SQLite builds differ (Debian's turns secure_delete on by default, upstream's does not):
    test as the upstream default, so only the migration's own setting counts."""

    def _off(dbapi_connection, _record):
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute("PRAGMA secure_delete = OFF")

    event.listen(Engine, "connect", _off)
    yield
    event.remove(Engine, "connect", _off)


def _stored_bytes(engine: sa.Engine, url: str) -> dict[str, bytes]:
    """The bytes each table's data files hold on disk (not what SQL can see)."""
    if engine.dialect.name == "sqlite":
        database = make_url(url).database
        assert database is not None
        # The main file and its write-ahead log: old pages' images stay in the log's frames
        # until it is truncated, whatever the main file holds.
        files = [Path(database), Path(f"{database}-wal")]
        data = b"".join(path.read_bytes() for path in files if path.exists())
        return dict.fromkeys(TABLES, data)
    stored = {}
    with engine.connect() as conn:
        conn.execute(sa.text("CHECKPOINT"))
        for table in TABLES:
            path = conn.execute(sa.text(f"SELECT pg_relation_filepath('{table}')")).scalar_one()
            stored[table] = bytes(
                conn.execute(sa.text("SELECT pg_read_binary_file(:p)"), {"p": path}).scalar_one()
            )
    return stored


def test_upgrade_leaves_no_plaintext_in_the_data_files(
    database, key_file, monkeypatch, without_default_secure_delete
):
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(key_file))
    migrate.upgrade(database, BEFORE)
    engine = make_engine(database)
    try:
        with engine.begin() as conn:
            _seed(conn)
        migrate.upgrade(database)
        for table, data in _stored_bytes(engine, database).items():
            assert b"Farida" not in data, table
    finally:
        engine.dispose()
