"""Second reading of d23cbf3 (search candidates on the read replica). The candidates it
takes from the replica are only candidates, and the primary decides: a replica that lags
still lists the blind-index entries of a person erased a moment ago on the primary, and the
search must then neither show that person nor fail; and a replica that cannot be reached
must not stop a search the primary can answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import sessionmaker

from casework.erasure import erase_person
from casework.models import Person
from core import migrate
from core.app import create_app
from core.crypto.models import BlindIndexEntry
from core.db import Database
from core.permissions import Role
from tests import databases
from tests.casework.helpers import registered_case, search
from tests.conftest import make_settings
from tests.factories import make_account, sign_in


@pytest.fixture
def replica_app(backend: str, key_file: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app whose replica is a second engine on its own database (tests/core/test_replica)."""
    url = databases.fresh_database(backend, tmp_path, "revreplica")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file, REPLICA_URL=url))
    yield app
    database: Database = app.extensions["homeward_db"]
    for engine in (database.engine, database.replica_engine):
        assert engine is not None
        engine.dispose()
    if backend != "sqlite":
        databases.drop_postgres(url)


def _lagging(database: Database) -> Connection:
    """A replica connection that keeps seeing the database as it is now (a standby that has
    not replayed what the primary commits next): one transaction, its snapshot taken."""
    assert database.replica_engine is not None
    connection = database.replica_engine.connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    connection.begin()
    entries = connection.scalar(select(func.count()).select_from(BlindIndexEntry))
    assert entries, "the person's index entries are on the replica"
    return connection


def test_a_person_erased_on_the_primary_is_neither_shown_nor_a_failure_while_the_replica_lags(
    replica_app: Flask,
):
    database: Database = replica_app.extensions["homeward_db"]
    with replica_app.app_context(), database.session_scope() as db:
        caseworker = make_account(replica_app, db, Role.CASEWORKER)
    client = replica_app.test_client()
    sign_in(client, caseworker)
    case = registered_case(client)
    lagging = _lagging(database)
    try:
        with replica_app.app_context(), database.session_scope() as db:
            person = db.scalars(select(Person)).one()
            erase_person(db, None, person, "the person asked for it")
        database.replica_factory = sessionmaker(bind=lagging, expire_on_commit=False)
        for kind, term in (
            ("name", "Farida Nazari"),
            ("name", "Nazari"),
            ("document", "P-1234 567"),
        ):
            found = search(client, kind, term)
            assert found.status_code == 200, (kind, term, found.status_code)
            page = found.get_data(as_text=True)
            assert case not in page, (kind, term)  # (the page repeats the term searched)
    finally:
        lagging.close()


@pytest.fixture
def replica_down_app(backend: str, key_file: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app whose replica cannot be reached (a standby down for maintenance, or failed)."""
    url = databases.fresh_database(backend, tmp_path, "revdown")
    migrate.upgrade(url)
    down = (
        f"sqlite:///{tmp_path / 'no-such-directory' / 'replica.db'}"
        if backend == "sqlite"
        else "postgresql+psycopg://postgres@127.0.0.1:1/replica"
    )
    app = create_app(make_settings(url, key_file, REPLICA_URL=down))
    yield app
    database: Database = app.extensions["homeward_db"]
    for engine in (database.engine, database.replica_engine):
        assert engine is not None
        engine.dispose()
    if backend != "sqlite":
        databases.drop_postgres(url)


def test_a_caseworker_still_finds_a_person_while_the_replica_is_down(replica_down_app: Flask):
    """Before d23cbf3 a search needed only the primary; the candidates are only an
    optimisation, so a replica that cannot be reached must not stop a caseworker finding a
    person (the primary still answers)."""
    database: Database = replica_down_app.extensions["homeward_db"]
    with replica_down_app.app_context(), database.session_scope() as db:
        caseworker = make_account(replica_down_app, db, Role.CASEWORKER)
    client = replica_down_app.test_client()
    sign_in(client, caseworker)
    case = registered_case(client)
    found = search(client, "name", "Farida Nazari")
    assert found.status_code == 200, found.status_code
    assert case in found.get_data(as_text=True)
