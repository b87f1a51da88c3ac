"""PostgreSQL: audit_event partitioned by month, partitions made ahead, retention by month."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from audit.partitions import add_months, create_ahead, monthly_partitions
from audit.retention import database_now, plan
from audit.services import record
from audit.verify import verify_chain
from core import clock, migrate
from core.app import create_app
from core.db import Database
from tests import databases
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres_only

NOW = clock.utcnow()
#: Where the tests of migration d4f8a1b2c3e5 (the partitions) downgrade to: the revision before
#: it, so below any revision added on top of it since.
BEFORE_PARTITIONS = "e6a1b2c3d4f5"
OLD = datetime(NOW.year - 12, 3, 15, 12, 0, tzinfo=UTC)  # two months, well past ten years
PREVIOUS = datetime(NOW.year - 12, 4, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def pg(key_file, tmp_path) -> Iterator[tuple[Flask, str]]:
    databases.require_postgres("the partition tests")
    url = databases.fresh_database("postgresql", tmp_path, "partitions")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application, url
    clock.travel(timedelta(0))
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


def _db(application: Flask) -> Database:
    database: Database = application.extensions["homeward_db"]
    return database


def _write(application: Flask, at: datetime, count: int) -> None:
    clock.travel(at - datetime.now(UTC))
    try:
        with application.app_context(), _db(application).session_scope() as session:
            for i in range(count):
                record(session, "case.viewed", object_type="case", details={"i": i})
    finally:
        clock.travel(timedelta(0))


def _sql(application: Flask, statement: str, **params: Any) -> list[Any]:
    with application.app_context(), _db(application).session_scope() as session:
        result = session.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []


def _intact(application: Flask) -> int:
    with application.app_context(), _db(application).session_scope() as session:
        report = verify_chain(session, end_read_transactions=True)
    assert report.intact, report.problem
    return report.events_checked


def _where(application: Flask) -> dict[str, int]:
    rows = _sql(
        application, "SELECT tableoid::regclass::text, count(*) FROM audit_event GROUP BY 1"
    )
    return {name: count for name, count in rows}


def _cli(application: Flask, *args: str) -> Any:
    with application.app_context():
        return application.test_cli_runner().invoke(args=["audit", *args])


def test_migration_up_down_up_keeps_every_event(pg):
    application, url = pg
    _write(application, OLD, 3)
    _write(application, NOW, 4)
    assert _intact(application) == 7
    migrate.downgrade(url, BEFORE_PARTITIONS)
    assert _sql(application, "SELECT relkind FROM pg_class WHERE relname = 'audit_event'") == [
        ("r",)
    ]
    assert _intact(application) == 7
    migrate.upgrade(url)
    where = _where(application)
    assert where[f"audit_event_{OLD:%Y_%m}"] == 3  # the old month got a partition of its own
    assert where[f"audit_event_{NOW:%Y_%m}"] == 4
    assert _intact(application) == 7
    assert migrate.drift_for_url(url) == []


def test_a_month_without_partition_goes_to_default_and_is_then_refused(pg):
    application, _ = pg
    later = datetime(NOW.year + 5, 6, 1, tzinfo=UTC)
    _write(application, later, 2)
    assert _where(application)["audit_event_default"] == 2
    with application.app_context(), _db(application).session_scope() as session:
        done = create_ahead(session, later.date(), months=1)
    assert done.refused == [f"{later:%Y-%m}"]
    assert done.created == [f"{later.year}-07"]
    assert _intact(application) == 2


def test_partitions_command_is_idempotent(pg):
    application, _ = pg
    first = _cli(application, "partitions", "--months", "6")
    assert first.exit_code == 0, first.output
    assert "created the partition of" in first.output  # months 4 to 6 ahead are new
    again = _cli(application, "partitions", "--months", "6")
    assert again.exit_code == 0 and "created" not in again.output
    with application.app_context(), _db(application).session_scope() as session:
        months = [p.month for p in monthly_partitions(session)]
        triggers = session.execute(
            text(
                "SELECT count(*) FROM pg_trigger t JOIN pg_inherits i ON i.inhrelid = t.tgrelid "
                "WHERE t.tgname = 'audit_event_no_truncate'"
            )
        ).scalar()
    assert months[-1] == date(NOW.year + (NOW.month + 5) // 12, (NOW.month + 5) % 12 + 1, 1)
    assert triggers == len(months) + 1  # every partition and the default


@pytest.mark.parametrize(
    "statement",
    ["UPDATE {p} SET action = 'x'", "DELETE FROM {p}", "TRUNCATE {p}"],
)
def test_a_partition_named_directly_is_append_only(pg, statement):
    application, url = pg
    _write(application, NOW, 1)
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement.format(p=f"audit_event_{NOW:%Y_%m}"))


def test_a_sequence_number_is_used_once_across_months(pg):
    application, url = pg
    _write(application, NOW, 1)
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    copy = (
        "INSERT INTO audit_event (seq, occurred_at, action, outcome, details, prev_hash, hash) "
        "VALUES ({seq}, '{at}', 'probe', 'ok', '{{}}', repeat('0', 64), repeat('b', 64))"
    )
    with psycopg.connect(conninfo) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(copy.format(seq=1, at="2001-01-01T00:00:00Z"))  # another partition
    with psycopg.connect(conninfo) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(copy.format(seq=0, at="2001-01-01T00:00:00Z"))


def _in_use(application: Flask, first: date, months: int) -> None:
    """One event on the 15th of each of ``months`` months from ``first``'s on, in one
    transaction: a system in use, as retention's bound that no clock sets asks
    (``years * 12`` later months with events before a month may go)."""
    try:
        with application.app_context(), _db(application).session_scope() as session:
            for step in range(months):
                month = add_months(first, step)
                at = datetime(month.year, month.month, 15, 12, 0, tzinfo=UTC)
                clock.travel(at - datetime.now(UTC))
                record(session, "case.viewed", object_type="case")
    finally:
        clock.travel(timedelta(0))


#: Months of use after PREVIOUS that :func:`_old_months` fills (the default ten years' worth).
IN_USE = 120


def _old_months(application: Flask, count: int = 3, in_use: int = IN_USE) -> None:
    """Events in two old months (their partitions made first), one in each of the ``in_use``
    months after them (in the default partition: never dropped; seqs 6-125), and ``count``
    now."""
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, OLD.date(), months=1)
    _write(application, OLD, 3)
    _write(application, PREVIOUS, 2)
    _in_use(application, add_months(PREVIOUS.date(), 1), in_use)
    _write(application, NOW, count)


def test_retention_drops_old_months_and_the_chain_still_verifies(pg):
    application, _ = pg
    _old_months(application)
    dry = _cli(application, "retention", "run", "--dry-run")
    assert dry.exit_code == 0 and f"would drop audit_event_{OLD:%Y_%m}" in dry.output
    assert sum(_where(application).values()) == 8 + IN_USE
    done = _cli(application, "retention", "run")
    assert done.exit_code == 0, done.output
    where = _where(application)
    assert f"audit_event_{OLD:%Y_%m}" not in where and f"audit_event_{PREVIOUS:%Y_%m}" not in where
    verified = _cli(application, "verify", "--workers", "2")  # chunks start at the anchor too
    assert verified.exit_code == 0, verified.output
    assert "events up to 5 were removed by retention" in verified.output
    assert "chain intact" in verified.output
    assert "newest checkpoint: event 5," not in verified.output  # the anchor covers no new event
    details = _sql(
        application,
        "SELECT details FROM audit_event WHERE action = 'audit.retention_applied'",
    )
    assert '"events":[3,2]' in details[0][0] and '"through_seq":5' in details[0][0]


def test_after_retention_a_changed_event_is_still_found(pg):
    application, _ = pg
    _old_months(application)
    assert _cli(application, "retention", "run").exit_code == 0
    with application.app_context(), _db(application).session_scope() as session:
        session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(text("UPDATE audit_event SET object_id = 'x' WHERE seq = 7"))
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 1
    assert "chain BROKEN at event 7" in verified.output


def test_old_months_dropped_by_hand_are_reported_missing(pg):
    """Without retention's record, the first events gone are a deletion, checkpoint or not."""
    application, _ = pg
    _old_months(application)
    assert _cli(application, "checkpoint").exit_code == 0
    _sql(application, f"DROP TABLE audit_event_{OLD:%Y_%m}")
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 1
    assert "chain BROKEN at event 1 (missing)" in verified.output


def test_an_old_month_out_of_step_with_the_chain_is_kept(pg):
    """An old month whose event came after a kept one: dropping it would leave a hole."""
    application, _ = pg
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, OLD.date(), months=0)
    _write(application, NOW, 1)
    _write(application, OLD, 1)  # seq 2, in a month past the cutoff
    _in_use(application, add_months(OLD.date(), 1), IN_USE)
    done = _cli(application, "retention", "run")
    assert done.exit_code == 0, done.output
    kept = f"kept audit_event_{OLD:%Y_%m}: dropping it would not remove exactly the start"
    assert kept in done.output and "nothing to drop" in done.output
    assert _where(application)[f"audit_event_{OLD:%Y_%m}"] == 1


def test_the_rebuilt_table_keeps_the_app_roles_grants(pg):
    application, url = pg
    role = f"hw_app_{uuid.uuid4().hex[:8]}"
    migrate.downgrade(url, BEFORE_PARTITIONS)
    _sql(application, f"CREATE ROLE {role} NOLOGIN")
    try:
        _sql(application, f"GRANT INSERT, SELECT ON audit_event TO {role}")
        migrate.upgrade(url)
        check = "SELECT has_table_privilege(:role, 'audit_event', :what)"
        assert _sql(application, check, role=role, what="INSERT") == [(True,)]
        assert _sql(application, check, role=role, what="UPDATE") == [(False,)]
        migrate.downgrade(url, BEFORE_PARTITIONS)
        assert _sql(application, check, role=role, what="SELECT") == [(True,)]
    finally:
        _sql(application, f"DROP OWNED BY {role}")
        _sql(application, f"DROP ROLE {role}")


def test_retention_drops_nothing_past_the_seq_it_was_given_as_signed(pg):
    """The plan's bound is the seq the run's verified checkpoint signed, not the table's newest
    checkpoint row (which anyone able to insert could write): old months past it are kept."""
    application, _ = pg
    _old_months(application, count=1)
    with application.app_context(), _db(application).session_scope() as session:
        planned = plan(session, 10, database_now(session), signed=3)
        session.rollback()
    assert [m.partition.month for m in planned.drop] == [OLD.date().replace(day=1)]
    assert planned.through_seq == 3 and planned.held_back


def test_retention_refuses_when_the_clocks_disagree(pg):
    application, _ = pg
    clock.travel(timedelta(days=2))
    try:
        done = _cli(application, "retention", "run")
    finally:
        clock.travel(timedelta(0))
    assert done.exit_code == 1 and "clocks differ" in done.output, done.output


def test_the_kept_head_is_the_newest_event(pg):
    application, url = pg
    _write(application, OLD, 2)
    migrate.downgrade(url, BEFORE_PARTITIONS)
    migrate.upgrade(url)  # the copy sets the head too
    newest = "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
    assert _sql(application, "SELECT * FROM homeward_audit_head()") == _sql(application, newest)
    _write(application, NOW, 3)
    assert _sql(application, "SELECT * FROM homeward_audit_head()") == _sql(application, newest)
    assert _sql(application, newest)[0][0] == 5


def test_the_live_triggers_constraints_and_definer_functions_are_pinned(pg):
    """What the drift check does not compare (triggers, the widened keys, the functions)."""
    application, _ = pg
    triggers = _sql(
        application,
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
        "AND NOT tgisinternal ORDER BY tgname",
    )
    assert [t[0] for t in triggers] == [
        "audit_event_bound_time",
        "audit_event_claim_seq",
        "audit_event_keep_head",
        "audit_event_no_truncate",
        "audit_event_no_update_delete",
    ]
    constraints = _sql(
        application,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'audit_event'::regclass ORDER BY conname",
    )
    assert constraints == [
        ("ck_audit_event_seq_positive", "CHECK ((seq > 0))"),
        ("pk_audit_event", "PRIMARY KEY (seq, occurred_at)"),
        ("uq_audit_event_hash", "UNIQUE (hash, occurred_at)"),
    ]
    definers = _sql(
        application,
        "SELECT proname, proconfig FROM pg_proc WHERE prosecdef "
        "AND proname LIKE 'homeward_audit%' ORDER BY proname",
    )
    assert [d[0] for d in definers] == [
        "homeward_audit_claim_seq",
        "homeward_audit_head",
        "homeward_audit_keep_head",
    ]
    assert {tuple(d[1]) for d in definers} == {("search_path=pg_catalog, public, pg_temp",)}
