"""SQLite's planner statistics (core.db): a pooled connection given back to the pool brings the
statistics of the tables it read up to date when due, so SQLite reads through the selective
index (a caseworker's own cases) rather than the first that fits (their whole organisation's);
and a SQLite whose statistics would keep samples of indexed values gathers none."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

import core.db
from core.db import READ_ONLY, SQLITE_BUSY_TIMEOUT_MS, keeps_samples, make_engine

#: The tests that expect statistics: not where this machine's SQLite keeps samples (it
#: rightly gathers none there; test_a_build_that_keeps_samples_gathers_nothing covers it).
gathers = pytest.mark.skipif(
    keeps_samples(sqlite3), reason="this SQLite keeps samples of indexed values"
)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pool's clock, moved by hand; unless a test says otherwise, a connection optimizes
    at every check-in."""
    now = [1000.0]
    monkeypatch.setattr(core.db, "_clock", lambda: now[0])
    monkeypatch.setattr(core.db, "SQLITE_OPTIMIZE_FIRST_SECONDS", 0.0)
    monkeypatch.setattr(core.db, "SQLITE_OPTIMIZE_SECONDS", 0.0)
    return now


#: Cases of one organisation (one value of ``organisation_id``), each with its own caseworker
#: (``cw``).
ROWS = 3000
QUERY = "SELECT id FROM casefile_like WHERE organisation_id = 'org' AND cw = 'cw7'"


def _database(path: Path) -> str:
    """A file database (in WAL mode, as Homeward's are) with a table like the case file's: an
    index on the caseworker (a value a row) and one on the organisation (one value for every
    row), which SQLite without statistics takes (the one declared last, of two that look
    alike); and a second small table."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE casefile_like (id INTEGER PRIMARY KEY, organisation_id, cw)")
        conn.execute("CREATE INDEX ix_like_assigned ON casefile_like (cw)")
        conn.execute("CREATE INDEX ix_like_org ON casefile_like (organisation_id)")
        conn.executemany(
            "INSERT INTO casefile_like (organisation_id, cw) VALUES ('org', ?)",
            [(f"cw{n}",) for n in range(ROWS)],
        )
        conn.execute("CREATE TABLE other_like (id INTEGER PRIMARY KEY, code)")
        conn.execute("CREATE INDEX ix_other_code ON other_like (code)")
        conn.executemany("INSERT INTO other_like (code) VALUES (?)", [(n,) for n in range(50)])
    return f"sqlite:///{path}"


def _plan(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {QUERY}").all()
    return " | ".join(str(row[3]) for row in rows)


def _statistics_tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        found = conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
        return {row[0] for row in found}


def _analysed(path: Path, table: str = "casefile_like") -> list[Any]:
    if "sqlite_stat1" not in _statistics_tables(path):
        return []
    with closing(sqlite3.connect(path)) as conn:
        found = conn.execute(
            "SELECT tbl, idx FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx", [table]
        )
        return found.fetchall()


def _read(engine: Engine, query: str = QUERY) -> None:
    with engine.connect() as conn:
        assert conn.execute(text(query)).all()


@gathers
def test_a_connection_given_back_leaves_the_statistics_of_what_it_read(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    engine = make_engine(_database(path))
    try:
        assert _analysed(path) == []
        # No statistics: either index looks as good. (Asking for the plan reads the table
        # through an index too: the connection given back after it analyses it.)
        assert "ix_like_org" in _plan(engine)
        _read(engine)
        assert _analysed(path) == [
            ("casefile_like", "ix_like_assigned"),
            ("casefile_like", "ix_like_org"),
        ]
        assert "ix_like_assigned" in _plan(engine)  # the selective one now
    finally:
        engine.dispose()


def _statistics_after_use(path: Path, read_only: bool = False) -> set[str]:
    """The statistics tables of a new database at ``path`` once an engine has asked for a
    plan and read through an index, its connection given back each time."""
    engine = make_engine(_database(path), read_only=read_only)
    try:
        _plan(engine)
        _read(engine)
    finally:
        engine.dispose()
    return _statistics_tables(path)


def test_a_read_only_engine_writes_no_statistics(tmp_path: Path) -> None:
    assert _statistics_after_use(tmp_path / "replica.db", read_only=True) == set()


@gathers
def test_a_busy_database_is_not_waited_for_and_is_analysed_later(tmp_path: Path) -> None:
    """Another writer holds the lock: the connection goes back at once, without statistics
    and without an error (its wait for locks put back as it was); given back again once the
    lock is free, it writes them."""
    path = tmp_path / "busy.db"
    engine = make_engine(_database(path))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock, held from before the first check-in
    try:
        with engine.connect() as conn:  # a read (WAL: beside the writer), as a replica's
            conn.execution_options(**{READ_ONLY: True}).execute(text(QUERY)).all()
        assert _analysed(path) == []  # given back without statistics, and without an error
        other.execute("ROLLBACK")
        with engine.connect() as conn:  # the same pooled connection, its wait as it was
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout == SQLITE_BUSY_TIMEOUT_MS
            conn.execute(text(QUERY)).all()
        assert len(_analysed(path)) == 2
    finally:
        other.close()
        engine.dispose()


@gathers
def test_a_connection_optimizes_once_it_has_served_a_while_then_every_interval(
    tmp_path: Path, clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not at every check-in (SQLite 3.40 would analyse every empty table read, on every
    request): a first time once the connection has served a while, then once an interval."""
    monkeypatch.setattr(core.db, "SQLITE_OPTIMIZE_FIRST_SECONDS", 60.0)
    monkeypatch.setattr(core.db, "SQLITE_OPTIMIZE_SECONDS", 900.0)
    path = tmp_path / "schedule.db"
    engine = make_engine(_database(path))
    other = "SELECT id FROM other_like WHERE code = 7"
    try:
        _read(engine)
        assert _analysed(path) == []  # opened just now: not yet
        clock[0] += 61
        _read(engine)
        assert len(_analysed(path)) == 2  # served a minute: what it read is analysed
        _read(engine, other)
        assert _analysed(path, "other_like") == []  # analysed a moment ago: not again yet
        clock[0] += 900
        _read(engine, other)
        assert _analysed(path, "other_like") == [("other_like", "ix_other_code")]
    finally:
        engine.dispose()


def test_a_build_that_keeps_samples_gathers_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLITE_ENABLE_STAT4 would copy index values (blind-index hashes) into sqlite_stat4,
    out of erasure's reach: such a SQLite's connections never analyse."""
    monkeypatch.setattr(core.db, "keeps_samples", lambda _dbapi: True)
    assert _statistics_after_use(tmp_path / "stat4.db") == set()


class _Probe:
    """A DBAPI module's stand-in whose in-memory database leaves ``tables`` after ANALYZE,
    or fails."""

    class Error(Exception):
        pass

    def __init__(self, tables: list[str] | None) -> None:
        self.tables = tables

    def connect(self, _name: str) -> _Probe:
        return self

    def execute(self, sql: str) -> list[tuple[str]]:
        if self.tables is None:
            raise self.Error("no such thing")
        return [(name,) for name in self.tables] if "sqlite_master" in sql else []

    def close(self) -> None:
        pass


def test_what_a_sqlite_keeps_is_found_by_analysing_a_table_in_memory() -> None:
    assert not keeps_samples(_Probe(["sqlite_stat1"]))
    assert keeps_samples(_Probe(["sqlite_stat1", "sqlite_stat4"]))
    assert keeps_samples(_Probe(["sqlite_stat1", "sqlite_stat3"]))  # before 3.30
    assert keeps_samples(_Probe(None))  # cannot tell: gather nothing
    with closing(sqlite3.connect(":memory:")) as conn:  # this machine's SQLite, whichever
        options = [row[0] for row in conn.execute("PRAGMA compile_options")]
    assert keeps_samples(sqlite3) == ("ENABLE_STAT4" in options)
