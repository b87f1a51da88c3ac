"""``homeward_audit_lock_head()`` (migration 267cac8c0932): the chain's lock and head in one call.

The append reads the head in the same round trip that takes the lock, so what it reads must
still be the head once the lock is granted: a writer it waited for has committed by then.
Run as the documented app role, which has no privilege on ``audit_head``."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from audit.services import APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY
from tests.audit.test_database_role import app_role  # noqa: F401 (fixture)

pytestmark = pytest.mark.postgres_only

EVENT = (
    "INSERT INTO audit_event (seq, occurred_at, action, outcome, details, prev_hash, hash) "
    "VALUES (%s, now(), 'probe', 'ok', '{}', %s, %s)"
)
LOCK_HEAD = "SELECT seq, hash FROM homeward_audit_lock_head(%s, %s)"
#: What one statement would do instead: its snapshot is taken before it waits for the lock.
ONE_STATEMENT = (
    "SELECT h.seq, h.hash FROM (SELECT pg_advisory_xact_lock(%s)) AS l, homeward_audit_head() AS h"
)
WAITING = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _as(conninfo: str, role: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo)
    conn.execute(f"SET ROLE {role}")
    conn.commit()
    return conn


def _read_while_the_other_commits(
    conninfo: str,
    first: psycopg.Connection,
    second: psycopg.Connection,
    query: str,
    params: tuple[object, ...],
) -> object:
    """``second`` runs ``query`` while ``first`` holds the lock; ``first`` commits once
    ``second`` waits for it. Returns the row ``second`` read."""
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(second.execute(query, params).fetchone()))
    reader.start()
    deadline = time.monotonic() + 10
    with psycopg.connect(conninfo, autocommit=True) as watcher:
        while not watcher.execute(WAITING).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the second call never waited for the lock"
            time.sleep(0.02)
    first.commit()
    reader.join(timeout=10)
    assert got, "the second call never returned"
    return got[0]


def test_the_head_read_after_the_wait_names_the_event_committed_meanwhile(app_role):  # noqa: F811
    conninfo, role = app_role
    with _as(conninfo, role) as first, _as(conninfo, role) as second:
        assert first.execute(LOCK_HEAD, (APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY)).fetchone() == (
            None,
            None,
        )  # no event yet: audit_head has no row
        first.execute(EVENT, (1, "0" * 64, "a" * 64))  # under the lock, not committed yet
        head = _read_while_the_other_commits(
            conninfo, first, second, LOCK_HEAD, (APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY)
        )
        assert head == (1, "a" * 64)
        second.rollback()
        # The control: the same in one statement reads the head from before its wait, which
        # is why the function reads it in a statement of its own.
        first.execute(LOCK_HEAD, (APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY))
        first.execute(EVENT, (2, "a" * 64, "b" * 64))
        stale = _read_while_the_other_commits(
            conninfo, first, second, ONE_STATEMENT, (CHAIN_LOCK_KEY,)
        )
        assert stale == (1, "a" * 64)
        second.rollback()


def test_the_wait_is_bounded_and_the_lock_and_timeout_last_until_the_commit(app_role):  # noqa: F811
    conninfo, role = app_role
    with psycopg.connect(conninfo, autocommit=True) as holder, _as(conninfo, role) as conn:
        before = conn.execute("SHOW lock_timeout").fetchone()
        holder.execute("SELECT pg_advisory_lock(%s)", (CHAIN_LOCK_KEY,))
        started = time.monotonic()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            conn.execute(LOCK_HEAD, ("200ms", CHAIN_LOCK_KEY))
        assert time.monotonic() - started < 3
        conn.rollback()
        holder.execute("SELECT pg_advisory_unlock(%s)", (CHAIN_LOCK_KEY,))

        conn.execute(LOCK_HEAD, (APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY))
        # the function's own SET search_path does not undo the caller's lock_timeout
        assert conn.execute("SHOW lock_timeout").fetchone() == (APPEND_LOCK_TIMEOUT,)
        taken = "SELECT pg_try_advisory_lock(%s)"
        assert holder.execute(taken, (CHAIN_LOCK_KEY,)).fetchone() == (False,)
        conn.commit()
        assert conn.execute("SHOW lock_timeout").fetchone() == before
        assert holder.execute(taken, (CHAIN_LOCK_KEY,)).fetchone() == (True,)
        holder.execute("SELECT pg_advisory_unlock(%s)", (CHAIN_LOCK_KEY,))
