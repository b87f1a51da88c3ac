"""Second security re-review of the monthly partitions (after the fixes 85faccd..e058871).

Each test states the guarantee it checks; a failure here is a finding of the review. The ones
that hold pin what the fixes promise (the head kept in audit_head, the partitions' grants)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from audit import actions
from audit.partitions import add_months, create_ahead
from audit.retention import run
from audit.services import flush_pending, record
from audit.verify import verify_chain
from audit.verify_signing import verified_checkpoint
from core import clock
from core.app import create_app
from tests import databases
from tests.audit.test_database_role import INSERT, app_role  # noqa: F401 (fixture)
from tests.audit.test_partitions import NOW, _cli, _db, _in_use, _sql, _where, _write, pg  # noqa: F401
from tests.audit.test_review_partitions import EVENT, _owner
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres_only

#: Two years ago: kept by the default ten-year retention, past a one-year one.
TWO_YEARS_AGO = datetime(NOW.year - 2, 3, 15, 12, 0, tzinfo=UTC)


def _shared_clock(session: Session) -> datetime:
    """The database's clock when PostgreSQL runs on the app's host (docs/deployment.md:
    127.0.0.1): the host's clock, as wrong as the app's."""
    return clock.utcnow()


def test_retention_with_the_hosts_shared_clock_far_ahead_keeps_recent_months(pg, monkeypatch):  # noqa: F811
    """The documented deployment has one clock for the app and the database. When it runs 11
    years fast, the app/database comparison sees no skew, and "never past the newest event's
    time minus the period" bounds nothing: the newest event is the run's own checkpoint event,
    dated by that same clock just before the plan. This month's events are dropped for good."""
    application, _ = pg
    _write(application, NOW, 3)
    monkeypatch.setattr("audit.retention.database_now", _shared_clock)
    monkeypatch.setattr("audit.partition_commands.database_now", _shared_clock)
    clock.travel(timedelta(days=366 * 11))
    try:
        done = _cli(application, "retention", "run")
    finally:
        clock.travel(timedelta(0))
    assert f"audit_event_{NOW:%Y_%m}" in _where(application), done.output


def _copy(application: Flask, url: str) -> str:
    """A copy of the database (a restore drill's, a staging clone): same chain, same key."""
    _db(application).engine.dispose()
    name = f"{make_url(url).database}_copy"
    with psycopg.connect(databases._admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _retention_on_copy(copy: Flask) -> str:
    """Retention run on the copy with a one-year period; the details of its record."""
    with copy.app_context():
        seed = copy.extensions["homeward_keys"].checkpoint_signing_key
        with _db(copy).session_scope() as session:
            checkpoint, _ = verified_checkpoint(session, seed)
        with _db(copy).session_scope() as session:
            assert run(session, seed, 1, checkpoint.seq).through_seq == 3
    recorded = _sql(
        copy, "SELECT details FROM audit_event WHERE action = :a", a="audit.retention_applied"
    )
    return str(recorded[0][0])


def test_an_anchor_signed_on_a_copy_does_not_excuse_deleting_events_here(pg, key_file):  # noqa: F811
    """The anchor's message is (kind, seq, hash, time): nothing ties it to this deployment. A
    copy signed with the same key (a drill, staging) whose retention period is shorter signs an
    anchor over the shared prefix. Here, anyone who may insert appends a retention record
    carrying it (the chain's hash has no key), an owner-level attacker deletes events 1-3,
    still inside this deployment's ten-year period, and verify calls the chain intact."""
    application, url = pg
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, TWO_YEARS_AGO.date(), months=0)
    _write(application, TWO_YEARS_AGO, 3)
    # a year of use after it (default partition), so a one-year retention may drop its month
    _in_use(application, add_months(TWO_YEARS_AGO.date(), 1), 12)
    _write(application, NOW, 2)
    copy_url = _copy(application, url)
    copy = create_app(make_settings(copy_url, key_file))
    try:
        details = _retention_on_copy(copy)
    finally:
        _db(copy).engine.dispose()
        databases.drop_postgres(copy_url)
    with application.app_context(), _db(application).session_scope() as session:
        record(
            session,
            actions.AUDIT_RETENTION_APPLIED,
            object_type="audit_chain",
            details=json.loads(details),
        )
    _owner(application, "DELETE FROM audit_event WHERE seq <= 3")
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 1, verified.output


def _head(session: Session) -> int:
    return int(session.execute(text("SELECT seq FROM homeward_audit_head()")).scalar_one())


def test_a_savepoint_rolled_back_after_appending_rolls_the_head_back(pg):  # noqa: F811
    """audit_head is written in the appending transaction: a savepoint rolled back after the
    events were written inside it takes the head back with them, and the event recorded
    before the savepoint, queued again, is appended after the head as it was."""
    application, _ = pg
    _write(application, NOW, 2)
    with application.app_context(), _db(application).session_scope() as session:
        record(session, "case.viewed", object_type="case")
        savepoint = session.begin_nested()
        record(session, "case.viewed", object_type="case")
        flush_pending(session)
        assert _head(session) == 4
        savepoint.rollback()
        assert _head(session) == 2
    newest = "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
    assert _sql(application, "SELECT * FROM homeward_audit_head()") == _sql(application, newest)
    assert _sql(application, newest)[0][0] == 3
    with application.app_context(), _db(application).session_scope() as session:
        assert verify_chain(session).intact


def test_a_rolled_back_append_leaves_the_head_where_it_was(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 2)
    with application.app_context(), _db(application).session_scope() as session:
        record(session, "case.viewed", object_type="case")
        flush_pending(session)
        assert _head(session) == 3
        session.rollback()
    assert _sql(application, "SELECT seq FROM homeward_audit_head()") == [(2,)]
    _write(application, NOW, 1)
    with application.app_context(), _db(application).session_scope() as session:
        assert verify_chain(session).intact


@pytest.mark.parametrize("partition", ["audit_event_default", f"audit_event_{NOW:%Y_%m}"])
def test_app_role_cannot_insert_into_a_partition_around_the_head_trigger(app_role, partition):  # noqa: F811
    """audit_head is kept by a statement trigger on the parent, which an insert naming a
    partition does not fire: the app role must not be able to insert there at all."""
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                f"INSERT INTO {partition} (seq, occurred_at, action, outcome, details, "
                "prev_hash, hash) VALUES (1, now(), 'probe', 'ok', '{}', repeat('0', 64), "
                "repeat('a', 64))"
            )


def test_app_role_cannot_call_the_partition_function_to_any_effect(app_role):  # noqa: F811
    """homeward_audit_partition is not SECURITY DEFINER (EXECUTE is PUBLIC's): as the app role
    it can neither make a partition nor read the default partition."""
    conninfo, role = app_role
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {role}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT homeward_audit_partition('2041-05-01')")


@pytest.mark.parametrize("at", ["infinity", "-infinity"])
def test_verify_reports_an_event_dated_infinity_instead_of_failing(pg, at):  # noqa: F811
    """Finding 7's rows (dated +-infinity by the app role before the upgrade) now stay in the
    default partition. verify must name such an event, not stop with a traceback (psycopg
    cannot load an infinite timestamp as a datetime)."""
    application, _ = pg
    _write(application, NOW, 2)
    _sql(application, EVENT.format(seq=3, at=f"'{at}'", h="c"))
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert isinstance(verified.exception, SystemExit | None), repr(verified.exception)
    assert verified.exit_code == 1 and "event 3" in verified.output, verified.output


#: The SECURITY DEFINER trigger functions, attached by the app role to a table of its own.
ATTACHED = {
    "claim_seq": "CREATE TRIGGER burn AFTER INSERT ON burn "
    "FOR EACH ROW EXECUTE FUNCTION homeward_audit_claim_seq()",
    "keep_head": "CREATE TRIGGER burn AFTER INSERT ON burn REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_keep_head()",
}


@pytest.mark.parametrize("function", sorted(ATTACHED))
def test_app_role_cannot_fire_the_definer_triggers_from_a_table_of_its_own(app_role, function):  # noqa: F811
    """EXECUTE on homeward_audit_claim_seq and homeward_audit_keep_head is PUBLIC's (never
    revoked), and CREATE TRIGGER needs only that and a table of one's own: a temporary table
    (TEMPORARY stays granted to PUBLIC on every deployment that ran Part 1 before this change,
    which upgrades never re-run). Fired there, they run as the owner: the app role burns the
    next seq in audit_seq (every later append fails) or moves audit_head where it likes."""
    conninfo, role = app_role
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"SET ROLE {role}")
        try:
            conn.execute("CREATE TEMPORARY TABLE burn (seq bigint, hash varchar(64))")
            conn.execute(ATTACHED[function])
            conn.execute("INSERT INTO burn VALUES (1, repeat('f', 64))")
        except psycopg.errors.InsufficientPrivilege:
            pass  # refused: what should happen
        conn.execute(INSERT)  # the app's first event, seq 1
        assert conn.execute("SELECT * FROM homeward_audit_head()").fetchone() == (1, "a" * 64)
