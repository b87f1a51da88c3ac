"""The one-pending-request migration on a database where earlier races left duplicates: the
oldest request of each case or person stays pending, the younger ones are answered, and the
unique indexes then hold."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from casework.closure.models import CaseClosure
from casework.models import CaseTransfer
from casework.subject_rights.models import ErasureRequest
from core import migrate
from core.app import create_app
from core.db import make_engine
from core.permissions import Role
from tests import databases
from tests.casework.helpers import FARIDA, case_url, register
from tests.conftest import make_settings
from tests.factories import make_account, make_organisation, post_form, sign_in

#: The revision this migration follows (downgrading further would undo unrelated ones).
REVISION_BEFORE = "1cda7b2a5750"


@pytest.fixture
def raced_database(backend, key_file, tmp_path, monkeypatch):
    """A database with one case that has a pending closure, erasure and transfer request."""
    # Later revisions re-encrypt free text on the way down and up: they read the key file.
    monkeypatch.setenv("HOMEWARD_KEY_FILE", str(key_file))
    url = databases.fresh_database(backend, tmp_path, "pendingmig")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file))
    database = app.extensions["homeward_db"]
    db = database.new_session()
    agency = make_organisation(app, db, agency=True)
    other = make_organisation(app, db, agency=True)
    worker = make_account(app, db, Role.CASEWORKER, organisation=agency)
    boss = make_account(app, db, Role.SUPERVISOR, organisation=agency)
    writer, chief = app.test_client(), app.test_client()
    sign_in(writer, worker, db)
    sign_in(chief, boss, db)
    url_ = case_url(register(writer, FARIDA))
    closure = {"reason": "lost_contact", "summary": "No answer for three months."}
    assert post_form(writer, f"{url_}/closure/request", closure).status_code == 302
    erasure = f"{url_}/person-data/erasure"
    assert post_form(chief, erasure, {"reason": "person_request"}).status_code == 302
    to = {"organisation": str(other.id)}
    assert post_form(chief, f"{url_}/transfer", to, token_from=url_).status_code == 302
    db.close()
    database.engine.dispose()
    yield url
    if backend == "postgresql":
        databases.drop_postgres(url)


def _columns(connection: Any, table: Any) -> list[Any]:
    """The table's columns that exist at the revision the database is at."""
    present = {column["name"] for column in inspect(connection).get_columns(table.name)}
    return [column for column in table.c if column.name in present]


def _duplicate(connection: Any, table: Any) -> uuid.UUID:
    """A younger copy of the table's pending row, as a lost race would have left it."""
    row = dict(connection.execute(select(*_columns(connection, table))).mappings().one())
    row["id"] = uuid.uuid4()
    row["requested_at"] = row["requested_at"] + timedelta(seconds=1)
    connection.execute(insert(table).values(**row))
    return row["id"]


def test_duplicates_are_answered_and_the_indexes_hold(raced_database):
    tables = {
        CaseClosure.__table__: "returned",
        ErasureRequest.__table__: "cancelled",
        CaseTransfer.__table__: "declined",
    }
    migrate.downgrade(raced_database, REVISION_BEFORE)
    engine = make_engine(raced_database)
    try:
        with engine.begin() as connection:
            younger = {table: _duplicate(connection, table) for table in tables}
        migrate.upgrade(raced_database)
        with engine.begin() as connection:
            for table, status in tables.items():
                rows = dict(connection.execute(select(table.c.id, table.c.status)).all())
                assert rows.pop(younger[table]) == status
                assert list(rows.values()) == ["pending"]
        for table in tables:
            with pytest.raises(IntegrityError), engine.begin() as connection:
                _duplicate_pending(connection, table)
    finally:
        engine.dispose()


def _duplicate_pending(connection: Any, table: Any) -> None:
    pending = select(*_columns(connection, table)).where(table.c.status == "pending")
    row = dict(connection.execute(pending).mappings().one())
    row["id"] = uuid.uuid4()
    connection.execute(insert(table).values(**row))
