"""SQLite: a transaction reads without the write lock and takes it before its first write.

SQLite lets one connection write at a time. Homeward used to begin every transaction
``IMMEDIATE``, taking the write lock at a request's first statement and holding it to the
commit, which comes after the page is rendered: two worker processes then served one request
at a time (issue 18: the case list answered 38 requests/s with one gunicorn worker and 44 with
two, the account page 94 and 96, while a plain Flask page doubled).

Now a transaction begins deferred, at its first statement. Its reads share the database with
every other connection (write-ahead log: readers and the writer do not wait for each other).
Before its first statement that may write, the transaction takes the write lock: ``BEGIN
IMMEDIATE`` if it has run nothing yet; if it has only read, it ends that read transaction
(nothing was written, so ending it loses nothing) and begins ``IMMEDIATE``. From then to its
end it is the one writer, and it sees the database as the last commit left it, as a
PostgreSQL transaction at READ COMMITTED sees it at each statement. So:

* a statement "may write" unless it is a ``SELECT`` without ``FOR UPDATE`` or a ``PRAGMA``
  that only describes the schema (:data:`DESCRIBING`, as SQLAlchemy's inspector sends: the
  readiness probe asks whether a table exists): INSERT, UPDATE, DELETE, a SAVEPOINT, any other
  PRAGMA, DDL and any text that begins otherwise (a ``WITH`` too) take the lock (denied
  reading by default);
* a ``SELECT ... FOR UPDATE`` takes the lock before it reads (SQLite has no such clause; the
  dialect drops it, this module keeps its meaning): the reads that decide a write (the next
  case number, a pending decision, a login lockout, an outbox claim) read the latest commit
  under the lock, as the row lock makes them on PostgreSQL;
* code that must read under the lock without a ``FOR UPDATE`` (the audit chain's head) calls
  :func:`take_write_lock` first;
* what a transaction read before its first write may have changed by the time it writes,
  as between two statements on PostgreSQL at READ COMMITTED; on SQLite the snapshot of the
  reads is that of the transaction's first read, so it can be older (a password hashed, a page
  rendered). What a read decides must therefore be read under the lock, on both databases:
  ``FOR UPDATE`` (or a conditional write, a version counter, a unique constraint). A key
  rotation's batch, whose plain read let an erasure committed meanwhile be overwritten, reads
  ``FOR UPDATE`` since this change (``tests/core/test_rotation_erasure.py``).

A connection marked read-only (``core.db.READ_ONLY``: start-up checks, a replica) never takes
the lock. The state is kept in the pooled connection's ``info`` and set at each ``begin``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

#: Key of the transaction's state in the pooled connection's ``info``.
STATE = "homeward_sqlite_transaction"
#: Begun in SQLAlchemy, nothing sent to SQLite yet.
PENDING = "pending"
#: ``BEGIN`` (deferred) sent: reading, without the write lock.
READING = "reading"
#: ``BEGIN IMMEDIATE`` sent: the write lock is held to the end of the transaction.
WRITING = "writing"
#: Marked read-only (never the lock): begun in SQLAlchemy, then ``BEGIN`` sent.
READ_ONLY_PENDING = "read-only pending"
READ_ONLY_READING = "read-only reading"
#: PRAGMAs that read the schema and set nothing (``PRAGMA main.table_info("t")``): reads.
DESCRIBING = re.compile(
    r"\s*PRAGMA\s+(?:\w+\.)?(?:table_info|table_xinfo|table_list|index_list|index_info"
    r"|index_xinfo|foreign_key_list|database_list)\s*(?:\(|$)",
    re.IGNORECASE,
)
#: States in which a statement changes nothing here.
SETTLED = frozenset({None, WRITING, READ_ONLY_READING})


def configure(engine: Engine, read_only_option: str) -> None:
    """Begin ``engine``'s transactions deferred and take the write lock before a write."""

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(read_only_option)
        conn.info[STATE] = READ_ONLY_PENDING if read_only else PENDING

    @event.listens_for(engine, "before_cursor_execute")
    def _before(
        conn: Connection,
        cursor: Any,
        statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        state = conn.info.get(STATE)
        if state in SETTLED:
            return
        if state == READ_ONLY_PENDING:
            conn.info[STATE] = READ_ONLY_READING
            _send(cursor, "BEGIN", conn)
        elif may_write(statement, context):
            _lock(cursor, conn)
        elif state == PENDING:
            conn.info[STATE] = READING
            _send(cursor, "BEGIN", conn)


def may_write(statement: str, context: Any) -> bool:
    """Whether a statement must run under the write lock: anything but a plain ``SELECT`` or a
    PRAGMA that only describes the schema."""
    element = getattr(getattr(context, "compiled", None), "statement", None)
    if element is not None and getattr(element, "is_select", False):
        return getattr(element, "_for_update_arg", None) is not None
    if statement.lstrip()[:6].upper() == "SELECT":
        return False
    return DESCRIBING.match(statement) is None


def take_write_lock(connection: Connection) -> None:
    """Make ``connection``'s transaction the one writer now, if it is not yet (for a read
    that decides a write and has no ``FOR UPDATE``). Nothing on other databases, outside a
    transaction this module began, or on a read-only connection."""
    if connection.dialect.name != "sqlite":
        return
    if connection.info.get(STATE) in (PENDING, READING):
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            _lock(cursor, connection)
        finally:
            cursor.close()


def holds_write_lock(connection: Connection) -> bool:
    """Whether ``connection``'s transaction holds SQLite's write lock (tests, assertions)."""
    return connection.info.get(STATE) == WRITING


def _lock(cursor: Any, conn: Connection) -> None:
    """End the read transaction, if any (it wrote nothing), and begin as the one writer."""
    if conn.info.get(STATE) == READING:
        conn.info[STATE] = PENDING
        _send(cursor, "COMMIT", conn)
    _send(cursor, "BEGIN IMMEDIATE", conn)
    conn.info[STATE] = WRITING


def _send(cursor: Any, sql: str, conn: Connection) -> None:
    """Run ``sql`` on the driver's cursor; its errors ("database is locked" after the busy
    timeout) come as SQLAlchemy's, as those of the statement would."""
    dbapi: Any = conn.dialect.dbapi
    try:
        cursor.execute(sql)
    except dbapi.Error as error:
        raise DBAPIError.instance(sql, (), error, dbapi.Error) from error
