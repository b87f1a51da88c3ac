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
    databases.require_postgres("the database role test")
    url = databases.fresh_database("postgresql", tmp_path, "roles")
    migrate.upgrade(url)
    role = f"homeward_app_{uuid.uuid4().hex[:8]}"
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} NOLOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(_part_two().replace("homeward_app", role))  # one script (it has a DO block)
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


PARTITION = "audit_event_default"


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {PARTITION} SET action = 'x'",
        f"DELETE FROM {PARTITION}",
        f"TRUNCATE {PARTITION}",
        f"DROP TABLE {PARTITION}",
        f"ALTER TABLE audit_event DETACH PARTITION {PARTITION}",
        "ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_seq_positive",
        "DELETE FROM audit_seq",
        "UPDATE audit_head SET seq = 99",
        "INSERT INTO audit_head VALUES (2, 99, repeat('b', 64))",
        "DELETE FROM audit_head",
        "SELECT homeward_audit_partition('2040-01-01')",
    ],
)
def test_app_role_cannot_change_the_partitions(app_role, statement):
    """Named directly, a partition's own privileges apply: the app role has none there, owns
    nothing to drop or detach, and cannot make a partition (no CREATE on the schema)."""
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        conn.execute(INSERT)  # (an app-role event dated ahead is refused now: review finding 6)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def _part_one_revoke_temporary() -> str:
    """Part 1's REVOKE TEMPORARY, as written there (for the database "homeward")."""
    text = ROLES_SQL.read_text(encoding="utf-8").split("-- Part 2:", 1)[0]
    (line,) = [x for x in text.splitlines() if x.startswith("REVOKE TEMPORARY")]
    return line


def test_app_role_cannot_make_temporary_tables_after_part_one(app_role):
    """Part 1 takes TEMPORARY from PUBLIC: a temporary table could shadow an audit table."""
    conninfo, role = app_role
    database = make_url(conninfo).database
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(_part_one_revoke_temporary().replace("homeward", f'"{database}"'))
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TEMPORARY TABLE audit_seq (seq bigint)")


def test_app_role_reads_the_head_its_insert_moved(app_role):
    """audit_head follows every insert (a SECURITY DEFINER trigger) and the app role reads
    it through homeward_audit_head(), with no privilege on the table itself."""
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        conn.execute(INSERT)
        assert conn.execute("SELECT * FROM homeward_audit_head()").fetchone() == (1, "a" * 64)
