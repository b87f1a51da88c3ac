"""Dump and load one database: ``pg_dump``/``pg_restore`` on PostgreSQL, the SQLite online
backup API on SQLite; scratch databases for ``homeward backup verify``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import Connection, func, inspect, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from core.db import make_engine, normalise_url
from core.exceptions import HomewardError
from core.keys import KEYS_ENV

#: Where ``pg_dump`` and ``pg_restore`` are looked for after ``PATH``, newest first.
PG_BIN_DIRS = (
    "/usr/local/bin",
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)


class BackupError(HomewardError):
    """A backup cannot be made, read, verified or restored; one line for the operator."""


def backend_of(url: str) -> str:
    try:
        return make_url(normalise_url(url)).get_backend_name()
    except ArgumentError:
        raise BackupError("not a database URL (expected e.g. postgresql://…/name)") from None


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an SQLite database in memory cannot be backed up or restored")
    return Path(database)


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``; raises BackupError when there is none."""
    found = shutil.which(name)
    if found:
        return found
    for directory in PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} not found (install the PostgreSQL client tools)")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and an environment carrying it (not on argv) but
    not the master keys (``HOMEWARD_KEYS``)."""
    parsed: URL = make_url(normalise_url(url))
    env = {name: value for name, value in os.environ.items() if name != KEYS_ENV}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    # Built anew: ``URL.set(password=None)`` keeps the password, which then sat on the
    # tools' command line for every local user to read in ``ps``.
    uri = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return uri.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed: {last}")


def pg_dump(url: str, dest: Path, snapshot: str | None = None) -> None:
    """``pg_dump`` in custom format (compressed, restorable table by table)."""
    uri, env = _libpq(url)
    command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    _run([*command, f"--file={dest}", f"--dbname={uri}"], env, "pg_dump")


def pg_restore(dump: Path, url: str) -> None:
    uri, env = _libpq(url)
    command = [
        pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={uri}",
        str(dump),
    ]
    _run(command, env, "pg_restore")


def sqlite_copy(source: Path, dest: Path) -> None:
    """Copy an SQLite database with the online backup API (consistent while others write)."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, by table name."""
    names = sorted(inspect(connection).get_table_names())
    return {
        name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0)
        for name in names
    }


def is_empty(url: str) -> bool:
    """True when the database has no tables (an SQLite file that does not exist is empty)."""
    if backend_of(url) == "sqlite" and not sqlite_path(url).exists():
        return True
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    except SQLAlchemyError as exc:
        raise BackupError(
            f"cannot reach the database to restore into ({type(exc).__name__})"
        ) from exc
    finally:
        engine.dispose()


def _admin(url: str) -> str:
    parsed = make_url(normalise_url(url)).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def scratch_database(server_url: str, backend: str) -> Iterator[str]:
    """A new empty database that is dropped afterwards: a temporary SQLite file, or on
    PostgreSQL ``<database>_verify_<random>`` on the server of ``server_url``."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homeward-verify-") as directory:
            yield f"sqlite:///{Path(directory) / 'scratch.db'}"
        return
    if backend_of(server_url) != "postgresql":
        raise BackupError("a PostgreSQL backup needs a PostgreSQL server: give --scratch URL")
    parsed = make_url(normalise_url(server_url))
    # A quoted identifier (never text pasted into SQL), the random part kept within 63 bytes.
    name = f"{(parsed.database or 'homeward')[:40]}_verify_{uuid.uuid4().hex[:8]}"
    ident = pgsql.Identifier(name)
    with psycopg.connect(_admin(server_url), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(ident))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin(server_url), autocommit=True) as conn:
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


def exc_name(exc: BaseException) -> str:
    """A database error named by its kind only (its text may carry SQL parameters)."""
    return type(exc).__name__
