"""Second reader's attacks on the monthly partitions of audit_event (issue 18, item 5).

Each test states the guarantee it checks; a failure here is a finding of the review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from flask import Flask
from sqlalchemy import text

from audit import actions
from audit.partitions import add_months
from audit.services import record
from audit.verify import verify_chain
from core import clock, migrate
from tests.audit.test_database_role import app_role  # noqa: F401 (fixture)
from tests.audit.test_partitions import (  # noqa: F401
    BEFORE_PARTITIONS,
    NOW,
    _cli,
    _db,
    _old_months,
    _sql,
    _where,
    _write,
    pg,
)

pytestmark = pytest.mark.postgres_only

EVENT = (
    "INSERT INTO audit_event (seq, occurred_at, action, outcome, details, prev_hash, hash) "
    "VALUES ({seq}, {at}, 'probe', 'ok', '{{}}', repeat('0', 64), repeat('{h}', 64))"
)


def test_app_role_cannot_shadow_audit_seq_with_a_temporary_table(app_role):  # noqa: F811
    """homeward_audit_claim_seq is SECURITY DEFINER with ``search_path = pg_catalog, public``:
    pg_temp is not named, so PostgreSQL searches it FIRST for tables. The app role (TEMP on
    the database is granted to PUBLIC by default, and Part 1 does not revoke it) makes its own
    ``audit_seq`` and the trigger fills that one: the same seq is then accepted twice."""
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        # Part 2 takes TEMPORARY away from PUBLIC, so the app role may make no temporary table
        conn.execute(f"SET ROLE {role}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TEMPORARY TABLE audit_seq (seq bigint)")
    with psycopg.connect(conninfo) as conn:
        # and where a deployment still gives it, the function writes public.audit_seq all the same
        conn.execute(f"GRANT TEMPORARY ON DATABASE {conn.info.dbname} TO {role}")
        conn.execute(f"SET ROLE {role}")
        conn.execute("CREATE TEMPORARY TABLE audit_seq (seq bigint)")
        conn.execute("GRANT ALL ON audit_seq TO PUBLIC")  # so the definer (owner) may write it
        conn.execute(EVENT.format(seq=1, at="now()", h="a"))
        with pytest.raises(psycopg.errors.UniqueViolation):
            # (within a day of now: the app role may not date an event further off, finding 6)
            conn.execute(EVENT.format(seq=1, at="now() + interval '1 hour'", h="b"))


def test_app_role_cannot_park_events_in_the_default_partition_ahead(app_role):  # noqa: F811
    """An event dated a few months ahead (a compromised app, or a wrong clock) lands in
    audit_event_default; ``homeward audit partitions`` then refuses that month for good and
    all its events stay in the default partition, which retention never drops."""
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        with pytest.raises(psycopg.errors.RaiseException):  # or any refusal
            conn.execute(EVENT.format(seq=1, at="now() + interval '6 months'", h="a"))


def _owner(application: Flask, statement: str) -> None:
    """An owner-level attacker: row triggers off for this transaction."""
    with application.app_context(), _db(application).session_scope() as session:
        session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(text(statement))


def test_a_forged_retention_record_does_not_excuse_deleted_first_events(pg):  # noqa: F811
    """Owner-level: delete the first events up to an ORDINARY checkpoint and append an
    ``audit.retention_applied`` event naming it (the chain's hash has no key, so anyone who
    may insert can append a valid event). Before this change such a deletion was reported
    as missing; verify must still report it."""
    application, _ = pg
    _write(application, NOW, 4)
    assert _cli(application, "checkpoint").exit_code == 0  # an ordinary checkpoint at event 4
    _write(application, NOW, 2)
    _owner(application, "DELETE FROM audit_event WHERE seq <= 4")
    with application.app_context(), _db(application).session_scope() as session:
        record(
            session,
            actions.AUDIT_RETENTION_APPLIED,
            object_type="audit_chain",
            details={"months": [], "events": [], "through_seq": 4, "retention_years": 10},
        )
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 1, verified.output


@pytest.mark.parametrize("batch_size", [1, 2, 3])
@pytest.mark.parametrize("at", ["2001-01-01T00:00:00Z", "2999-01-01T00:00:00Z"])
def test_a_second_event_with_the_same_seq_in_another_partition_is_found(pg, batch_size, at):  # noqa: F811
    """Owner-level (or the app role through the temporary-table shadow above): a second row
    with seq 2 in another partition, hashed consistently. The walk reads ``seq > last`` in
    batches, so a twin falling at a batch's end is never read. verify must report it."""
    application, _ = pg
    _write(application, NOW, 4)
    _owner(application, _twin_sql(application, at))
    assert sum(_where(application).values()) == 5
    with application.app_context(), _db(application).session_scope() as session:
        report = verify_chain(session, batch_size=batch_size)
    assert not report.intact, f"the twin of event 2 went unseen ({report.events_checked} read)"


def _twin_sql(application: Flask, at: str) -> str:
    """A copy of event 2 dated ``at``, under the same seq (columns as the table has them)."""
    columns = [
        row[0]
        for row in _sql(
            application,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'audit_event' ORDER BY ordinal_position",
        )
    ]
    chosen = [f"TIMESTAMPTZ '{at}'" if c == "occurred_at" else c for c in columns]
    return (
        f"INSERT INTO audit_event ({', '.join(columns)}) "
        f"SELECT {', '.join(chosen)} FROM audit_event WHERE seq = 2"
    )


def test_retention_with_the_clock_far_ahead_keeps_recent_months(pg):  # noqa: F811
    """The app host's clock 11 years fast: the cutoff falls after this month, and retention
    drops the events of this very month (everything up to the checkpoint it just signed).
    A cutoff later than the newest event (or the database's own clock) should stop it."""
    application, _ = pg
    _write(application, NOW, 3)
    clock.travel(timedelta(days=366 * 11))
    try:
        done = _cli(application, "retention", "run")
    finally:
        clock.travel(timedelta(0))
    assert f"audit_event_{NOW:%Y_%m}" in _where(application), done.output
    assert datetime.now(UTC) > NOW  # (this month's events are recent, not past the cutoff)


@pytest.mark.parametrize("at", ["infinity", "-infinity"])
def test_an_event_dated_infinity_does_not_block_the_upgrade(pg, at):  # noqa: F811
    """The app role could always insert an event dated 'infinity' (timestamptz takes it);
    the upgrade then asks homeward_audit_partition for the month of infinity, whose name is
    NULL, and fails: one row written by the app role blocks ``homeward db upgrade``. Such a
    row belongs in the default partition."""
    application, url = pg
    migrate.downgrade(url, BEFORE_PARTITIONS)
    _sql(application, EVENT.format(seq=1, at=f"'{at}'", h="a"))
    migrate.upgrade(url)
    assert _where(application) == {"audit_event_default": 1}


def test_checkpoints_go_on_after_retention_dropped_up_to_the_newest_one(pg, monkeypatch):  # noqa: F811
    """When every event up to the head was old (a quiet decade, or a clock far ahead), the
    anchor retention signs is the key's newest checkpoint: ``verified_checkpoint`` then starts
    at it as if the event were still there, finds it gone and refuses, so the periodic
    ``homeward audit checkpoint`` and every later ``retention run`` fail for good, while
    ``homeward audit verify`` says the chain is intact.

    Every event old means no later month holds events, so retention's bound that no clock sets
    (``years * 12`` later months with events) is stubbed to a decade of them here."""
    application, _ = pg
    _old_months(application, count=0, in_use=0)
    decade = {add_months(NOW.date().replace(day=1), step) for step in range(1, 121)}
    monkeypatch.setattr("audit.retention.months_with_events", lambda session, found: decade)
    done = _cli(application, "retention", "run")
    assert done.exit_code == 0 and "events up to 5 dropped" in done.output, done.output
    assert _cli(application, "verify", "--workers", "1", "--no-record").exit_code == 0
    signed = _cli(application, "checkpoint")
    assert signed.exit_code == 0, signed.output
