"""SQLite's planner statistics (core.db): a pooled connection given back to the pool brings the
statistics of the tables it read up to date, so SQLite reads through the selective index (a
caseworker's own cases) rather than the first that fits (their whole organisation's)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from core.db import READ_ONLY, SQLITE_BUSY_TIMEOUT_MS, keeps_no_samples, make_engine

#: Cases of one organisation (one value of ``organisation_id``), each with its own caseworker.
ROWS = 3000
QUERY = "SELECT id FROM casefile_like WHERE organisation_id = 'org' AND assigned_to_id = 'cw7'"


def _database(path: Path) -> str:
    """A file database with a table like the case file's: an index on the caseworker (a value
    a row) and one on the organisation (one value for every row), which SQLite without
    statistics takes (the one declared last, of two that look alike)."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE casefile_like (id INTEGER PRIMARY KEY, organisation_id, assigned_to_id)"
        )
        conn.execute("CREATE INDEX ix_like_assigned ON casefile_like (assigned_to_id)")
        conn.execute("CREATE INDEX ix_like_org ON casefile_like (organisation_id)")
        conn.executemany(
            "INSERT INTO casefile_like (organisation_id, assigned_to_id) VALUES ('org', ?)",
            [(f"cw{n}",) for n in range(ROWS)],
        )
    return f"sqlite:///{path}"


def _plan(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {QUERY}").all()
    return " | ".join(str(row[3]) for row in rows)


def _analysed(path: Path) -> list[Any]:
    with closing(sqlite3.connect(path)) as conn:
        held = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not held.fetchone()[0]:
            return []
        return conn.execute("SELECT tbl, idx FROM sqlite_stat1 ORDER BY idx").fetchall()


def _read(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text(QUERY)).all()


def test_a_connection_given_back_leaves_the_statistics_of_what_it_read(tmp_path: Path) -> None:
    path = tmp_path / "stats.db"
    engine = make_engine(_database(path))
    try:
        assert _analysed(path) == []
        assert "ix_like_org" in _plan(engine)  # no statistics: either index looks as good
        _read(engine)  # the connection goes back to the pool: PRAGMA optimize
        assert _analysed(path) == [
            ("casefile_like", "ix_like_assigned"),
            ("casefile_like", "ix_like_org"),
        ]
        assert "ix_like_assigned" in _plan(engine)  # the selective one now
    finally:
        engine.dispose()


def test_a_read_only_engine_writes_no_statistics(tmp_path: Path) -> None:
    path = tmp_path / "replica.db"
    engine = make_engine(_database(path), read_only=True)
    try:
        _read(engine)
        _read(engine)
    finally:
        engine.dispose()
    assert _analysed(path) == []


def test_a_busy_database_is_not_waited_for_and_is_analysed_later(tmp_path: Path) -> None:
    """Another writer holds the lock: the connection goes back at once, without statistics
    and without an error (its wait for locks set to none meanwhile, and put back); given
    back again once the lock is free, it writes them."""
    path = tmp_path / "busy.db"
    engine = make_engine(_database(path))
    with engine.connect() as conn:  # the pooled connection, opened (and in WAL mode)
        conn.exec_driver_sql("SELECT 1")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock, held
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


class _Build:
    """A DBAPI connection's stand-in that answers ``PRAGMA compile_options`` only."""

    def __init__(self, options: list[str]) -> None:
        self.options = options

    def execute(self, sql: str) -> list[tuple[str]]:
        assert sql == "PRAGMA compile_options"
        return [(option,) for option in self.options]


def test_a_build_that_keeps_samples_of_indexed_values_gathers_nothing() -> None:
    """SQLITE_ENABLE_STAT4 would copy index values (blind-index hashes) into sqlite_stat4."""
    assert keeps_no_samples(_Build(["ENABLE_FTS5", "THREADSAFE=1"]))
    assert not keeps_no_samples(_Build(["ENABLE_FTS5", "ENABLE_STAT4"]))
    with closing(sqlite3.connect(":memory:")) as conn:  # this machine's SQLite, whichever
        options = [row[0] for row in conn.execute("PRAGMA compile_options")]
        assert keeps_no_samples(conn) == ("ENABLE_STAT4" not in options)
