"""HOMEWARD_REPLICA_URL: the figures and the audit workspace read on a second connection (the
replica's), everything they record goes to the primary, and the replica refuses writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from core import migrate
from core.app import create_app
from core.db import Database, get_read_session, get_session
from core.permissions import Role
from tests import databases
from tests.conftest import make_settings
from tests.factories import make_account, sign_in

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class Statements:
    """Every statement an engine runs, in order."""

    def __init__(self, engine: Engine) -> None:
        self.seen: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.seen.append(statement)

    def reading(self, table: str) -> bool:
        return any(s.lstrip().upper().startswith("SELECT") and table in s for s in self.seen)

    def writes(self) -> list[str]:
        return [s for s in self.seen if WRITE.match(s)]


@pytest.fixture
def replica_app(backend: str, key_file: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own database whose replica is a second engine on that database (what a
    streaming standby shows, without its delay)."""
    url = databases.fresh_database(backend, tmp_path, "replica")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file, REPLICA_URL=url))
    yield app
    database: Database = app.extensions["homeward_db"]
    for engine in (database.engine, database.replica_engine):
        assert engine is not None
        engine.dispose()
    if backend != "sqlite":
        databases.drop_postgres(url)


def _engines(app: Flask) -> tuple[Statements, Statements]:
    database: Database = app.extensions["homeward_db"]
    assert database.engine is not None and database.replica_engine is not None
    return Statements(database.engine), Statements(database.replica_engine)


def _account(app: Flask, role: Role):  # type: ignore[no-untyped-def]
    database: Database = app.extensions["homeward_db"]
    with app.app_context(), database.session_scope() as db:
        return make_account(app, db, role)


def test_figures_read_on_the_replica_and_are_audited_on_the_primary(replica_app):
    analyst = _account(replica_app, Role.ANALYST)
    client = replica_app.test_client()
    sign_in(client, analyst)
    primary, replica = _engines(replica_app)
    assert client.get("/reports/national").status_code == 200
    assert replica.reading("case_skeleton")
    assert not replica.writes()
    assert not primary.reading("case_skeleton")
    assert any("audit_event" in s for s in primary.writes())


def test_the_audit_workspace_reads_on_the_replica(replica_app):
    auditor = _account(replica_app, Role.AUDITOR)
    client = replica_app.test_client()
    sign_in(client, auditor)
    primary, replica = _engines(replica_app)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert replica.reading("audit_event") and not replica.writes()
    history = client.get(f"/audit/users/{auditor.user.id}")
    assert history.status_code == 200
    assert any("audit_event" in s for s in primary.writes())  # audit.user_activity_viewed
    assert client.get("/audit/alerts").status_code == 200
    assert not replica.writes()


def test_the_replica_refuses_writes(replica_app):
    database: Database = replica_app.extensions["homeward_db"]
    assert database.replica_factory is not None
    with replica_app.app_context():
        session = database.replica_factory()
        try:
            with pytest.raises(DBAPIError):
                session.execute(text("UPDATE organisation SET name = name"))
        finally:
            session.close()


def test_without_a_replica_reads_use_the_request_session(app, db_session):
    with app.test_request_context("/"):
        assert get_read_session() is get_session()


def test_search_candidates_come_from_the_replica_and_people_from_the_primary(replica_app):
    from tests.casework.helpers import registered_case, search

    caseworker = _account(replica_app, Role.CASEWORKER)
    client = replica_app.test_client()
    sign_in(client, caseworker)
    case = registered_case(client)
    primary, replica = _engines(replica_app)
    for kind, term in (("name", "Farida Nazari"), ("name", "Nazari"), ("document", "P-1234 567")):
        primary.seen.clear()
        replica.seen.clear()
        found = search(client, kind, term)
        assert found.status_code == 200
        assert case in found.get_data(as_text=True), (kind, term)
        assert replica.reading("blind_index"), (kind, term)
        assert not primary.reading("blind_index"), (kind, term)
        assert not replica.writes()
        assert not replica.reading("data_key")  # keys are unwrapped from the primary's rows
        assert any("audit_event" in s for s in primary.writes())  # person.searched
