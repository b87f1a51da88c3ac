"""The documented PostgreSQL role for the app may append to the audit log and nothing more."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from core import migrate
from tests import databases

ROLES_SQL = Path(__file__).resolve().parents[2] / "docs" / "postgresql-roles.sql"


def _part_two() -> str:
    text = ROLES_SQL.read_text(encoding="utf-8")
    return text.split("-- Part 2:", 1)[1].split("\n", 1)[1]


pytestmark = pytest.mark.postgres_only


@pytest.fixture
def app_role(tmp_path):
    if databases.postgres_url() is None:
        if databases.in_ci():
            pytest.fail("CI needs TEST_DATABASE_URL for the database role test")
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    url = databases.fresh_database("postgresql", tmp_path, "roles")
    migrate.upgrade(url)
    role = f"homeward_app_{uuid.uuid4().hex[:8]}"
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} NOLOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        for statement in _part_two().replace("homeward_app", role).split(";"):
            if statement.strip():
                conn.execute(statement)
    yield conninfo, role
    databases.drop_postgres(url)
    with psycopg.connect(databases._admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")


INSERT = (
    "INSERT INTO audit_event (seq, occurred_at, action, outcome, details, prev_hash, hash) "
    "VALUES (1, now(), 'probe', 'ok', '{}', repeat('0', 64), repeat('a', 64))"
)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'x'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER USER",
        "DROP TRIGGER audit_event_no_update_delete ON audit_event",
        "DELETE FROM audit_checkpoint",
        "UPDATE alembic_version SET version_num = 'x'",
    ],
)
def test_app_role_cannot_change_the_log(app_role, statement):
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        conn.execute(INSERT)
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
