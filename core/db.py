"""The database: typed declarative Base, engine set-up per backend, one session per request.

Routes never commit: the request commits once, after the view returns a non-error response
(see :func:`commit_or_rollback`). Services only ``flush``.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from core import sqlite_writer
from core.config import app_settings

log = logging.getLogger("homeward.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use core.clock.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every Homeward model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class UUIDPrimaryKey:
    """Mixin: a random UUID primary key, so ids in URLs reveal no order or count."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


#: Execution option for connections that only read (on SQLite they never take the write lock,
#: see :mod:`core.sqlite_writer`).
READ_ONLY = "homeward_read_only"

#: SQLite's planner statistics, which PostgreSQL's autovacuum keeps on its own: without them
#: SQLite takes any index on an equality as good as another, and read a caseworker's plan
#: actions through their organisation's cases (15 ms at 10,000 people, growing with the
#: organisation) instead of through their own (0.2 ms). A pooled connection runs ``PRAGMA
#: optimize`` (SQLite's advice for long-lived connections) when it goes back to the pool, a
#: first time once it has served for :data:`SQLITE_OPTIMIZE_FIRST_SECONDS` and then every
#: :data:`SQLITE_OPTIMIZE_SECONDS`: it analyses the tables this connection read through an
#: index that have no statistics yet or have grown manyfold since, each index read only so
#: far (:data:`SQLITE_ANALYSIS_LIMIT` rows), in a few milliseconds. Not at every check-in:
#: SQLite 3.40 counts an empty table as never analysed, so it would analyse every empty table
#: a request read, and take the write lock to do it, on every request.
SQLITE_OPTIMIZE_FIRST_SECONDS = 60.0
SQLITE_OPTIMIZE_SECONDS = 900.0
SQLITE_ANALYSIS_LIMIT = 1000
#: How long a SQLite statement waits for another connection's write lock.
SQLITE_BUSY_TIMEOUT_MS = 30000
_OPTIMIZE_DUE = "homeward_optimize_due"
_clock = time.monotonic


def _configure_sqlite(engine: Engine, *, gather_statistics: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        # Take transaction control from pysqlite so SAVEPOINT and BEGIN IMMEDIATE work.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.close()
        record.info[_OPTIMIZE_DUE] = _clock() + SQLITE_OPTIMIZE_FIRST_SECONDS

    dbapi: Any = engine.dialect.dbapi
    if gather_statistics and not keeps_samples(dbapi):

        @event.listens_for(engine, "checkin")
        def _on_checkin(dbapi_conn: Any, record: Any) -> None:
            _optimize_sqlite(dbapi_conn, record, dbapi.Error)

    # Reads without the write lock; the lock from a transaction's first write to its end.
    sqlite_writer.configure(engine, READ_ONLY)


@functools.cache
def keeps_samples(dbapi: Any) -> bool:
    """Whether this SQLite's statistics hold samples of indexed values besides counts
    (``SQLITE_ENABLE_STAT4``, or STAT3 before 3.30): analysing would copy blind-index values
    into ``sqlite_stat4``, where erasing a person would not delete them, so such a build
    gathers no statistics. Found by analysing a table in memory (a build that does not list
    its compile options counts the same way); yes when the probe itself fails."""
    try:
        with closing(dbapi.connect(":memory:")) as probe:
            probe.execute("CREATE TABLE probe (value)")
            probe.execute("CREATE INDEX ix_probe ON probe (value)")
            probe.execute("INSERT INTO probe VALUES (1), (2), (2)")
            probe.execute("ANALYZE")
            found = probe.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            return {row[0] for row in found} != {"sqlite_stat1"}
    except dbapi.Error:
        log.warning("sqlite: cannot tell what its statistics hold; gathering none")
        return True


def _optimize_sqlite(dbapi_conn: Any, record: Any, errors: type[Exception]) -> None:
    """``checkin``: when due, bring the statistics of what this connection read up to date
    (see :data:`SQLITE_OPTIMIZE_SECONDS`). Never waits for another writer (busy: tried again
    at the next check-in) and never fails the request that gave the connection back."""
    if dbapi_conn is None:
        return
    now = _clock()
    if now < record.info.get(_OPTIMIZE_DUE, now):
        return
    try:
        dbapi_conn.execute("PRAGMA busy_timeout=0")
        try:
            dbapi_conn.execute("PRAGMA optimize")
        finally:
            dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except errors as exc:
        log.info("sqlite planner statistics not refreshed this time: %s", type(exc).__name__)
        return
    record.info[_OPTIMIZE_DUE] = now + SQLITE_OPTIMIZE_SECONDS


def make_engine(url: str, echo: bool = False, *, read_only: bool = False) -> Engine:
    """Create an engine with Homeward's per-backend settings. ``read_only`` (a replica): every
    transaction is read-only in the database itself, so a write sent there by mistake fails
    instead of diverging from the primary."""
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, echo=echo, hide_parameters=True)
        # (A read-only engine writes no statistics: its connections may not write at all.)
        _configure_sqlite(engine, gather_statistics=not read_only)
        if read_only:
            _make_read_only_sqlite(engine)
        return engine
    connect_args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args=connect_args,
    )


def _make_read_only_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only=ON")

    engine.update_execution_options(**{READ_ONLY: True})


class Database:
    """Engine and session factory of one app; ``session`` is the current request's session."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.factory: sessionmaker[Session] | None = None
        #: The read replica's engine and sessions (None: reads go to the primary).
        self.replica_engine: Engine | None = None
        self.replica_factory: sessionmaker[Session] | None = None

    def init_app(self, app: Flask) -> None:
        settings = app_settings(app)
        self.engine = make_engine(settings.DATABASE_URL, echo=settings.SQL_ECHO)
        if settings.REPLICA_URL:
            self.replica_engine = make_engine(
                settings.REPLICA_URL, echo=settings.SQL_ECHO, read_only=True
            )
            self.replica_factory = sessionmaker(bind=self.replica_engine, expire_on_commit=False)
        self.init_factory()
        app.extensions["homeward_db"] = self
        app.after_request(commit_or_rollback)
        app.teardown_appcontext(close_session)

    def init_factory(self) -> None:
        """Sessions on the engine (the normal case; tests may bind to a connection instead)."""
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    def bind_connection(self, connection: Connection) -> None:
        """Tests: run every session inside ``connection``'s outer transaction (savepoints);
        reads meant for a replica go through it too (a second connection would not see the
        uncommitted rows)."""
        self.factory = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self.replica_factory = None

    def new_session(self) -> Session:
        assert self.factory is not None, "Database.init_app was not called"
        return self.factory()

    @property
    def backend(self) -> str:
        assert self.engine is not None
        return self.engine.dialect.name

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session outside a request (CLI, jobs): commits on success, rolls back on error."""
        session = self.new_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def listen_on_sessions(listeners: Iterable[tuple[str, Callable[..., Any]]]) -> None:
    """Connect ``(event name, listener)`` pairs to every Session, each once (a module that
    keeps a session's pending work, such as the audit queue or the skeleton's rebuilds)."""
    for name, listener in listeners:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def inside(transaction: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``savepoint`` or began inside it (for a listener that keeps
    a session's pending work and must forget, or redo, what a savepoint's rollback undid)."""
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False


def current_db() -> Database:
    """The Database of the current app."""
    database: Database = current_app.extensions["homeward_db"]
    return database


def get_session() -> Session:
    """The session of the current request or app context (created on first use)."""
    session: Session | None = g.get("_homeward_session")
    if session is None:
        session = current_db().new_session()
        g._homeward_session = session
    return session


def get_read_session() -> Session:
    """A session for reads that may lag the primary by a replica's delay (figures, the audit
    workspace, search candidates): the request's replica session when ``REPLICA_URL`` is set,
    else the request's own session. Read-only in the database; never write through it, and
    never read through it what this request has just written."""
    database = current_db()
    if database.replica_factory is None:
        return get_session()
    session: Session | None = g.get("_homeward_read_session")
    if session is None:
        session = database.replica_factory()
        g._homeward_read_session = session
    return session


def keep_changes_on_error() -> None:
    """Commit this request's work even though the response is an error (e.g. an audited 403)."""
    g._homeward_commit_on_error = True


def recover_session(*, always: bool = False) -> None:
    """Roll back the request's session when a failed write left it unusable (or ``always``),
    so an error page can still read what the layout needs (navigation counts)."""
    session: Session | None = g.get("_homeward_session")
    if session is not None and (always or not session.is_active):
        session.rollback()


def commit_or_rollback(response: Response) -> Response:
    """The one commit of a request: after a successful response; errors roll back."""
    session: Session | None = g.get("_homeward_session")
    if session is None:
        return response
    if response.status_code < 400 or g.get("_homeward_commit_on_error"):
        try:
            session.commit()
        except DBAPIError as exc:
            # The database went away between the view and its commit: nothing was kept, and
            # the visitor gets the 503 page (answered here, whatever PROPAGATE_EXCEPTIONS says).
            from core.errors import database_unavailable_response, is_database_unavailable

            if not is_database_unavailable(exc):
                raise
            return database_unavailable_response(exc)
    else:
        session.rollback()
    return response


def close_session(_exc: BaseException | None) -> None:
    reader: Session | None = g.pop("_homeward_read_session", None)
    if reader is not None:
        with suppress(SQLAlchemyError):
            reader.close()
    session: Session | None = g.pop("_homeward_session", None)
    if session is None:
        return
    try:
        session.close()
    except SQLAlchemyError:
        # The database went away mid-request: the answer (a 503) is already made; drop the
        # dead connection instead of turning the answer into a 500 on the way out.
        log.warning("session closed on a lost database connection")
        with suppress(SQLAlchemyError):
            session.invalidate()


def flush_or_conflict(db: Session, conflict: Callable[[], Exception]) -> None:
    """Flush a versioned change; when a concurrent save came between our read and our write
    (the version check failed), roll back and raise ``conflict()``.

    The failed flush left the session unusable, and a conflict keeps nothing of the request:
    ``conflict`` runs after the rollback, so it may read what the other save stored."""
    try:
        db.flush()
    except StaleDataError as exc:
        db.rollback()
        raise conflict() from exc
