"""Test databases: which backends run, and fresh empty databases on each."""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from core.db import normalise_url


def postgres_url() -> str | None:
    """The PostgreSQL test database: ``TEST_DATABASE_URL``, or under ``pytest -n`` (xdist) a
    database of the worker's own beside it (``<name>_gw0``), made fresh on first use, so that
    workers never share a schema."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(normalise_url(url), worker) if worker else normalise_url(url)


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    return fresh_postgres(url, worker)


def drop_worker_database() -> None:
    """Drop this xdist worker's own database, if it made one (at the end of its session)."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker and _worker_database.cache_info().currsize:
        drop_postgres(_worker_database(normalise_url(url), worker))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_postgres(what: str) -> str:
    """The PostgreSQL test URL for a test that only PostgreSQL can run: skipped without one,
    failed in CI (where a skip would hide that ``what`` never ran)."""
    url = postgres_url()
    if url is None:
        if in_ci():
            pytest.fail(f"CI needs TEST_DATABASE_URL for {what}")
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    return url


def _admin_conninfo(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )


def fresh_postgres(url: str, suffix: str) -> str:
    """Create (or re-create) an empty PostgreSQL database beside the test database."""
    parsed = make_url(url)
    name = f"{parsed.database}_{suffix}"
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reset_postgres_schema(url: str) -> None:
    """Empty the given PostgreSQL database (the CI database is fresh, a developer's may not be)."""
    parsed = make_url(url).set(drivername="postgresql")
    with psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def fresh_sqlite(directory: Path, suffix: str) -> str:
    return f"sqlite:///{directory / f'{suffix}-{uuid.uuid4().hex[:8]}.db'}"


def fresh_database(backend: str, directory: Path, suffix: str) -> str:
    if backend == "sqlite":
        return fresh_sqlite(directory, suffix)
    url = postgres_url()
    assert url is not None
    return fresh_postgres(url, suffix)
