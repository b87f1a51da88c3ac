"""The database itself refuses to change or remove audit events and checkpoints."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from audit.checkpoints import create_checkpoint
from tests.fixtures.audit import build_chain

STATEMENTS = {
    "update": "UPDATE {table} SET {column} = {column}",
    "delete": "DELETE FROM {table}",
    "truncate": "TRUNCATE {table}",
}
COLUMNS = {"audit_event": "action", "audit_checkpoint": "head_hash"}


@pytest.fixture
def filled(app, request_ctx, db_session):
    build_chain(db_session, 3)
    create_checkpoint(db_session, app.extensions["homeward_keys"].checkpoint_signing_key)
    db_session.commit()


@pytest.mark.parametrize("table", sorted(COLUMNS))
@pytest.mark.parametrize("verb", sorted(STATEMENTS))
def test_changes_to_the_audit_tables_fail(filled, db_session, backend, table, verb):
    if verb == "truncate" and backend == "sqlite":
        verb = "delete"  # SQLite has no TRUNCATE; its DELETE without WHERE is the same thing
    statement = STATEMENTS[verb].format(table=table, column=COLUMNS[table])
    with pytest.raises(DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(text(statement))
    assert db_session.execute(text(f"SELECT count(*) FROM {table}")).scalar() > 0


def test_the_app_offers_no_way_to_prune(app):
    """No command or page deletes events: retention (``audit retention run``, the owner role,
    PostgreSQL) drops whole months' partitions, never rows (tests/audit/test_partitions.py)."""
    assert app.config["HOMEWARD_SETTINGS"].AUDIT_RETENTION_YEARS == 10
    commands = {name for name in app.cli.list_commands(None)}
    audit_group = app.cli.get_command(None, "audit")
    audit_commands = set(audit_group.list_commands(None))
    assert audit_commands == {"checkpoint", "verify", "partitions", "retention"}
    assert set(audit_group.get_command(None, "retention").list_commands(None)) == {"run"}
    assert not any("prune" in name or "purge" in name for name in commands | audit_commands)
    audit_routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    writing = {r.endpoint for r in audit_routes if r.methods - {"GET", "HEAD", "OPTIONS"}}
    assert writing == {"audit.export", "audit.verify_recent"}  # both only append an event
