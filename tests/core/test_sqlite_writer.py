"""SQLite: a transaction reads without the write lock and takes it before its first write
(core.sqlite_writer), so one request's reads and rendering no longer hold every other
request back, and what must read under the lock still does (FOR UPDATE, the audit chain)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.services import record
from audit.verify import verify_chain
from auth import services
from auth.models import User
from core import migrate
from core.app import create_app
from core.clock import utcnow
from core.db import Database, make_engine
from core.permissions import Role
from core.sqlite_writer import STATE, WRITING, holds_write_lock, may_write, take_write_lock
from tests import databases
from tests.auth.test_lockout_races_pg import EMAIL, PASSWORD, _account
from tests.casework.helpers import registered_case
from tests.conftest import make_settings
from tests.factories import make_account, settings_of, sign_in

METADATA = MetaData()
ROWS = Table("probe_rows", METADATA, Column("n", Integer, primary_key=True))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'writer.db'}")
    METADATA.create_all(made)
    yield made
    made.dispose()


def _impatient(connection: Connection) -> Connection:
    """``connection`` waiting 100 ms, not 30 s, for another's write lock (set on the driver's
    connection, outside any transaction)."""
    driver: object = connection.connection.driver_connection
    driver.execute("PRAGMA busy_timeout=100")  # type: ignore[attr-defined]
    return connection


def _count(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(ROWS)) or 0)


def test_a_transaction_that_has_only_read_lets_another_write(engine):
    with engine.connect() as reader, _impatient(engine.connect()) as writer:
        assert _count(reader) == 0  # a read transaction is open on the reader
        assert not holds_write_lock(reader)
        writer.execute(insert(ROWS).values(n=1))
        writer.commit()  # before: "database is locked" (the reader began IMMEDIATE)
        assert _count(reader) == 0  # the reader keeps its snapshot until it writes
        reader.rollback()


def test_the_first_write_takes_the_lock_and_sees_the_latest_commit(engine):
    with engine.connect() as first, _impatient(engine.connect()) as other:
        assert _count(first) == 0
        other.execute(insert(ROWS).values(n=1))
        other.commit()
        first.execute(insert(ROWS).values(n=2))
        assert holds_write_lock(first)
        assert _count(first) == 2  # its read transaction ended; it writes after the latest
        with pytest.raises(OperationalError, match="locked"):
            other.execute(insert(ROWS).values(n=3))
        other.rollback()
        first.commit()
        assert _count(other) == 2
        other.rollback()


def test_a_select_for_update_reads_under_the_lock(engine):
    with engine.connect() as first, _impatient(engine.connect()) as other:
        assert _count(first) == 0
        other.execute(insert(ROWS).values(n=1))
        other.commit()
        rows = first.execute(select(ROWS.c.n).with_for_update()).scalars().all()
        assert holds_write_lock(first)
        assert rows == [1]  # the latest commit, not the snapshot of the first read
        with pytest.raises(OperationalError, match="locked"):
            other.execute(insert(ROWS).values(n=2))
        other.rollback()
        first.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "SAVEPOINT sp",
        "PRAGMA user_version=1",
        "DELETE FROM probe_rows",
        "WITH x AS (SELECT 1) INSERT INTO probe_rows SELECT 5 FROM x",
    ],
)
def test_anything_but_a_plain_select_takes_the_lock_first(engine, statement):
    with engine.connect() as first, _impatient(engine.connect()) as other:
        assert _count(first) == 0
        first.exec_driver_sql(statement)
        assert holds_write_lock(first)
        with pytest.raises(OperationalError, match="locked"):
            other.execute(insert(ROWS).values(n=9))
        other.rollback()
        first.rollback()


def test_what_counts_as_a_read():
    assert not may_write("SELECT 1", None)
    assert not may_write("  select n from probe_rows", None)
    assert not may_write('PRAGMA main.table_info("audit_event")', None)
    assert not may_write("pragma index_list(probe_rows)", None)
    assert not may_write("PRAGMA database_list", None)
    for written in (
        "INSERT INTO t VALUES (1)",
        "UPDATE t SET n=1",
        "WITH x AS (SELECT 1) DELETE FROM t",
        "PRAGMA optimize",
        "PRAGMA table_info = 1",
        "PRAGMA user_version=3",
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "SAVEPOINT a",
        "CREATE TABLE t (n)",
    ):
        assert may_write(written, None), written


def test_take_write_lock_before_a_read_that_decides_a_write(engine):
    with engine.connect() as first, _impatient(engine.connect()) as other:
        assert _count(first) == 0
        other.execute(insert(ROWS).values(n=1))
        other.commit()
        take_write_lock(first)
        assert holds_write_lock(first)
        assert _count(first) == 1
        take_write_lock(first)  # a second call changes nothing
        assert _count(first) == 1
        first.rollback()


def test_a_read_only_engine_never_takes_the_lock(engine, tmp_path):
    replica = make_engine(f"sqlite:///{tmp_path / 'writer.db'}", read_only=True)
    try:
        with replica.connect() as reading, _impatient(engine.connect()) as writer:
            assert _count(reading) == 0
            take_write_lock(reading)
            assert not holds_write_lock(reading)
            with pytest.raises(OperationalError, match="readonly"):
                reading.execute(insert(ROWS).values(n=1))
            writer.execute(insert(ROWS).values(n=2))
            writer.commit()
            reading.rollback()
    finally:
        replica.dispose()


@pytest.fixture
def sqlite_app(key_file, tmp_path):
    url = databases.fresh_database("sqlite", tmp_path, "writer")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()


def test_a_session_that_read_before_another_appended_appends_after_it(sqlite_app):
    """The chain's head is read under the lock: a session whose read transaction began before
    another session appended still chains its event after that one (no fork, no refusal)."""
    database: Database = sqlite_app.extensions["homeward_db"]
    with sqlite_app.app_context():
        early, late = database.new_session(), database.new_session()
        try:
            assert early.scalar(select(func.count()).select_from(AuditEvent)) == 0
            record(early, "case.viewed", object_type="case", object_id=uuid.uuid4())
            record(late, "case.viewed", object_type="case", object_id=uuid.uuid4())
            late.commit()
            early.commit()
        finally:
            early.close()
            late.close()
        with database.session_scope() as session:
            seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
            assert seqs == [1, 2]
            report = verify_chain(session)
            assert report.intact, report.problem


def test_a_page_view_holds_the_lock_only_to_append_its_audit_event(sqlite_app):
    """The case list and a case page read, render and then, at the commit, append the event
    that they were viewed: only that append runs under the write lock, so another worker's
    request is never held back by this one's reading and rendering."""
    database: Database = sqlite_app.extensions["homeward_db"]
    with database.session_scope() as db:
        account = make_account(sqlite_app, db, Role.CASEWORKER)
    client = sqlite_app.test_client()
    sign_in(client, account)
    case_page = registered_case(client)
    seen: list[tuple[bool, str]] = []

    def _note(conn, _cursor, statement, *_rest):
        seen.append((conn.info.get(STATE) == WRITING, " ".join(statement.split())))

    event.listen(database.engine, "after_cursor_execute", _note)
    try:
        for path in ("/cases/", case_page):
            seen.clear()
            assert client.get(path).status_code == 200
            locked = [statement for writing, statement in seen if writing]
            assert locked, path  # the view was recorded
            assert all("audit_event" in statement for statement in locked), (path, locked)
            assert len(locked) < len(seen) / 2, path
        seen.clear()
        assert client.get("/readyz").status_code == 200  # asks whether tables exist (PRAGMA)
        assert seen and not [statement for writing, statement in seen if writing]
    finally:
        event.remove(database.engine, "after_cursor_execute", _note)


def test_a_right_password_in_flight_is_refused_once_another_request_locked_the_account(
    sqlite_app,
):
    """A request now reads without the lock, so its snapshot can be older than another's
    commit, as on PostgreSQL: the sign-in's lockout check reads ``FOR UPDATE`` and so under
    the lock, and sees the lock the parallel wrong guesses set while this one was hashing
    (tests/auth/test_review_lockout_snapshot_pg.py, here on SQLite)."""
    database: Database = sqlite_app.extensions["homeward_db"]
    user_id, _secret = _account(sqlite_app)
    assert database.engine is not None
    with sqlite_app.test_request_context("/"), Session(database.engine) as db:
        loaded = db.get(User, user_id)  # the request loaded the account: not locked yet
        assert loaded is not None and loaded.locked_until is None
        with database.engine.connect() as other:  # the parallel guesses lock it and commit
            other.execute(
                update(User)
                .where(User.id == user_id)
                .values(locked_until=utcnow() + timedelta(minutes=30), failed_logins=0)
            )
            other.commit()
        step = services.check_password_step(db, EMAIL, PASSWORD, settings_of(sqlite_app).auth)
        assert step.user is None
        db.commit()
