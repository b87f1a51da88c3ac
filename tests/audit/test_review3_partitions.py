"""Third security review of the monthly partitions (commit aab0a1a), second reader.

Each test states the guarantee it checks; a failing test is a finding of the review. The ones
that hold pin review 2's finding A as fixed (EXECUTE taken from PUBLIC on the trigger
functions) and what the verifier catches when partitions are dropped, detached or edited."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from threading import Thread

import psycopg
import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from audit.partitions import add_months, create_ahead
from audit.services import record
from audit.verify import verify_chain
from core import migrate
from tests import databases
from tests.audit.test_database_role import _part_two
from tests.audit.test_partitions import (  # noqa: F401
    BEFORE_PARTITIONS,
    NOW,
    OLD,
    PREVIOUS,
    _cli,
    _db,
    _old_months,
    _sql,
    _write,
    pg,
)
from tests.audit.test_review_partitions import EVENT, _owner

pytestmark = pytest.mark.postgres_only

#: The functions any role may call; every other is the owner's. homeward_audit_head reads
#: audit_head (SECURITY DEFINER); homeward_audit_lock_head runs as its caller (it sets the
#: caller's lock_timeout, takes an advisory lock any role may take, then calls the former).
PUBLIC_FUNCTIONS = {"homeward_audit_head", "homeward_audit_lock_head"}
THIS_MONTH = f"audit_event_{NOW:%Y_%m}"
NEXT_MONTH = datetime(*add_months(NOW.date(), 1).timetuple()[:2], 10, 12, tzinfo=UTC)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def pg_role(pg: tuple[Flask, str]) -> Iterator[tuple[Flask, str, str]]:  # noqa: F811
    """The ``pg`` app (connected as the owner) and an app role set up by Part 2."""
    application, url = pg
    role = f"rev3_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} NOLOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(_part_two().replace("homeward_app", role))
    yield application, url, role
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)  # (the database first: the role holds privileges there)
    with psycopg.connect(databases._admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")


def _as_role(url: str, role: str, *statements: str) -> None:
    """Run ``statements`` as the app role, in one transaction."""
    with psycopg.connect(_conninfo(url)) as conn:
        conn.execute(f"SET ROLE {role}")
        for statement in statements:
            conn.execute(statement)


FUNCTIONS = (
    "SELECT p.proname, p.prosecdef, coalesce(p.proconfig, '{}'), "
    "p.proowner = (SELECT relowner FROM pg_class WHERE oid = 'public.audit_event'::regclass), "
    "p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
)


def test_every_definer_function_pins_its_path_is_the_owners_and_only_the_reader_is_public(pg):  # noqa: F811
    """Finding A of review 2: a SECURITY DEFINER function the app role may run (or attach as a
    trigger) writes as the owner. Each one must put pg_temp last on a pinned search_path,
    belong to the audit table's owner, and only homeward_audit_head may be PUBLIC's."""
    _check_definers(pg[0])


def _check_definers(application: Flask) -> None:
    definers = [row for row in _sql(application, FUNCTIONS) if row[1]]
    assert {row[0] for row in definers} == {
        "homeward_audit_claim_seq",
        "homeward_audit_keep_head",
        "homeward_audit_head",
    }
    for name, _, config, owned, public in definers:
        assert config == ["search_path=pg_catalog, public, pg_temp"], name
        assert owned, name
        assert public == (name in PUBLIC_FUNCTIONS), name


def test_app_role_may_execute_no_audit_function_but_the_head_reader(pg_role):
    application, _, role = pg_role
    names = [row[0] for row in _sql(application, FUNCTIONS) if row[0].startswith("homeward_a")]
    may = "SELECT has_function_privilege(:role, CAST(:name AS regproc), 'EXECUTE')"
    allowed = {name for name in names if _sql(application, may, role=role, name=name)[0][0]}
    # homeward_audit_append_only raises and nothing else, as the invoker: harmless if PUBLIC's
    assert allowed - {"homeward_audit_append_only"} == PUBLIC_FUNCTIONS


@pytest.mark.parametrize(
    "trigger",
    [
        "AFTER INSERT ON burn FOR EACH ROW EXECUTE FUNCTION homeward_audit_claim_seq()",
        "AFTER INSERT ON burn REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION homeward_audit_keep_head()",
    ],
)
def test_app_role_cannot_attach_a_definer_function_even_with_temporary_back(pg_role, trigger):
    """Review 2's own test of finding A stops at CREATE TEMPORARY TABLE (Part 2 takes TEMPORARY
    away). Where the app role has it (granted to it by name, a database set up otherwise),
    CREATE TRIGGER must still be refused: EXECUTE on the definer functions is the owner's."""
    application, url, role = pg_role
    database = make_url(url).database
    _sql(application, f'GRANT TEMPORARY ON DATABASE "{database}" TO {role}')
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        burn = "CREATE TEMPORARY TABLE burn (seq bigint, hash varchar(64))"
        _as_role(url, role, burn, f"CREATE TRIGGER burn {trigger}")


def test_app_role_cannot_reuse_a_seq_retention_dropped(pg_role):
    """audit_seq keeps the numbers of dropped events: the app role cannot put a new event
    under one of them (before the anchor, where the verifier no longer looks)."""
    application, url, role = pg_role
    _old_months(application)
    assert _cli(application, "retention", "run").exit_code == 0
    with pytest.raises(psycopg.errors.UniqueViolation):
        _as_role(url, role, EVENT.format(seq=3, at="now()", h="d"))
    assert "chain intact" in _cli(application, "verify", "--workers", "1", "--no-record").output


def test_downgrade_leaves_no_definer_function_and_the_upgrade_revokes_again(pg_role):
    """The downgrade drops every function of the migration and gives the plain table only the
    app role's INSERT and SELECT; upgrading again takes EXECUTE from PUBLIC again."""
    application, url, role = pg_role
    migrate.downgrade(url, BEFORE_PARTITIONS)
    assert [row[0] for row in _sql(application, FUNCTIONS) if row[1]] == []
    privileges = _sql(
        application,
        "SELECT a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
        f"WHERE c.oid = 'audit_event'::regclass AND a.grantee = '{role}'::regrole",
    )
    assert sorted(p for (p,) in privileges) == ["INSERT", "SELECT"]
    migrate.upgrade(url)
    _check_definers(application)


def test_a_partition_made_by_the_monthly_job_carries_every_trigger(pg):  # noqa: F811
    application, _ = pg
    month = add_months(NOW.date(), 7)
    with application.app_context(), _db(application).session_scope() as session:
        assert create_ahead(session, month, months=0).created == [f"{month:%Y-%m}"]
    triggers = _sql(
        application,
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
        f"AND tgrelid = 'audit_event_{month:%Y_%m}'::regclass ORDER BY 1",
    )
    names = ("bound_time", "claim_seq", "keep_head", "no_truncate", "no_update_delete")
    assert [t for (t,) in triggers] == [f"audit_event_{name}" for name in names]


def test_a_partition_made_by_the_monthly_job_grants_nothing_under_default_privileges(pg_role):
    """docs/deployment.md: "A new partition gives the app role nothing". Only while the owner
    has no default privileges: with the common ``ALTER DEFAULT PRIVILEGES ... GRANT SELECT,
    INSERT, UPDATE, DELETE ON TABLES TO homeward_app``, each partition the monthly job makes
    grants the app role INSERT on it directly, around the parent's statement trigger that
    keeps audit_head (review 2's test of that insert holds only for the migration's months):
    an event put there claims the next seq without moving the head, and every later append
    fails on audit_seq. Part 2, which revokes, runs after upgrades, not after the job."""
    application, _, role = pg_role
    owner = _sql(application, "SELECT current_user")[0][0]
    grant = f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
    _sql(application, f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public {grant}")
    month = add_months(NOW.date(), 8)
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, month, months=0)
    may = f"SELECT has_table_privilege('{role}', 'audit_event_{month:%Y_%m}', 'INSERT')"
    assert _sql(application, may) == [(False,)]


def test_the_trigger_functions_stay_the_owners_under_default_privileges(pg_role):
    """The migration takes EXECUTE from PUBLIC only: an owner whose default privileges give
    the app role EXECUTE on new functions hands it the SECURITY DEFINER trigger functions
    again (finding A of review 2 back, wherever TEMPORARY or a table of its own exists)."""
    application, url, role = pg_role
    owner = _sql(application, "SELECT current_user")[0][0]
    _sql(
        application,
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} GRANT EXECUTE ON FUNCTIONS TO {role}",
    )
    migrate.downgrade(url, BEFORE_PARTITIONS)
    migrate.upgrade(url)
    granted = _sql(
        application,
        f"SELECT has_function_privilege('{role}', 'homeward_audit_claim_seq()', 'EXECUTE'), "
        f"has_function_privilege('{role}', 'homeward_audit_keep_head()', 'EXECUTE')",
    )
    assert granted == [(False, False)]


def test_an_event_the_app_role_numbers_far_ahead_does_not_stop_every_later_append(pg_role):
    """The app role may INSERT any seq: one event numbered 2^63-1 moves audit_head there (the
    head only ever goes up) and every later append computes 2^63 and fails, so no request that
    records an event can commit until the owner, with the append-only triggers off, deletes
    the row from audit_event and audit_seq and rewinds audit_head. The chain's continuity
    (seq = head + 1, prev_hash = the head's hash) is the database's to enforce: audit_head
    already holds what to check against."""
    application, url, role = pg_role
    _write(application, NOW, 2)
    with pytest.raises(psycopg.errors.IntegrityError):  # refused: not seq = head + 1
        _as_role(url, role, EVENT.format(seq=2**63 - 1, at="now()", h="f"))
    with application.app_context(), _db(application).session_scope() as session:
        assert verify_chain(session).intact  # (nothing got in, so no gap to report)
    _write(application, NOW, 1)  # (raised before: bigint out of range)


def test_a_checkpoint_row_the_app_role_forges_does_not_stop_checkpoints_for_good(pg_role):
    """The app role may INSERT into audit_checkpoint (the checkpoint job runs as it). A row with
    this key's public key (public: in every checkpoint file), a seq past the head and a junk
    signature becomes "the newest checkpoint of this key", which ``verified_checkpoint`` starts
    from: its signature fails, nothing is ever signed again and ``retention run`` refuses too,
    until the owner deletes the row with the append-only triggers off. verify rightly reports
    the row; the job should start from the newest checkpoint whose signature holds."""
    application, url, role = pg_role
    _checkpointed(application, 2)
    key = _sql(application, "SELECT public_key FROM audit_checkpoint LIMIT 1")[0][0]
    _as_role(
        url,
        role,
        "INSERT INTO audit_checkpoint (seq, head_hash, created_at, signature, public_key) "
        f"VALUES (1000000, repeat('0', 64), now(), repeat('0', 128), '{key}')",
    )
    done = _cli(application, "checkpoint")
    assert done.exit_code == 0, done.output


def test_app_role_cannot_reuse_a_seq_even_through_merge_or_copy(pg_role):
    """audit_seq refuses a second event under a seq, whichever statement inserts it, and
    MERGE and COPY move audit_head too (the statement trigger fires for them)."""
    application, url, role = pg_role
    _write(application, NOW, 2)
    merge = (
        "MERGE INTO audit_event t USING (SELECT 2::bigint AS seq) s ON false WHEN NOT MATCHED "
        "THEN INSERT (seq, occurred_at, action, outcome, details, prev_hash, hash) VALUES "
        "(s.seq, now() + interval '1 hour', 'm', 'ok', '{}', repeat('0', 64), repeat('e', 64))"
    )
    with pytest.raises(psycopg.errors.UniqueViolation):
        _as_role(url, role, merge)
    follow = merge.replace("repeat('0', 64)", "(SELECT hash FROM homeward_audit_head())")
    _as_role(url, role, follow.replace("2::bigint", "3::bigint"))
    assert _sql(application, "SELECT seq FROM homeward_audit_head()") == [(3,)]


@pytest.mark.xfail(
    strict=True,
    reason="kept, not fixed: retention drops no rows, so a month left in the default "
    "partition blocks the later months until the owner makes it its month's partition "
    "(docs/deployment.md; tests/audit/test_default_month.py checks that fix)",
)
def test_a_month_left_in_the_default_partition_does_not_keep_every_later_month(pg):  # noqa: F811
    """docs/deployment.md: a month whose events landed in audit_event_default stays there,
    "which retention never drops". Retention then never drops any LATER month either: the
    default partition's events sit in the chain between the old months, so those months are
    never "exactly the start of the chain" again; the whole log is kept past the period."""
    application, _ = pg
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, OLD.date(), months=0)
        create_ahead(session, add_months(OLD.date(), 2), months=0)
    _write(application, OLD, 2)  # 1-2 in OLD's partition
    _write(application, PREVIOUS, 2)  # 3-4: no partition for that month, the default
    _write(application, OLD.replace(month=OLD.month + 2), 2)  # 5-6
    _write(application, NOW, 1)
    assert _sql(application, "SELECT count(*) FROM audit_event_default") == [(2,)]
    done = _cli(application, "retention", "run")
    assert done.exit_code == 0, done.output
    assert f"dropped audit_event_{OLD.replace(month=OLD.month + 2):%Y_%m}" in done.output


def _append_many(application: Flask, rounds: int, errors: list[BaseException]) -> None:
    try:
        for _ in range(rounds):
            with application.app_context(), _db(application).session_scope() as session:
                record(session, "case.viewed", object_type="case")
                record(session, "case.viewed", object_type="case")
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def test_concurrent_appends_make_one_contiguous_chain_and_the_head_follows(pg):  # noqa: F811
    application, _ = pg
    errors: list[BaseException] = []
    threads = [Thread(target=_append_many, args=(application, 15, errors)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counted = _sql(application, "SELECT count(*), min(seq), max(seq) FROM audit_event")
    assert counted == [(120, 1, 120)]
    assert _sql(application, "SELECT seq FROM homeward_audit_head()") == [(120,)]
    assert _sql(application, "SELECT count(*) FROM audit_seq") == [(120,)]
    with application.app_context(), _db(application).session_scope() as session:
        assert verify_chain(session).intact


def _make_partition(application: Flask, month: datetime) -> None:
    with application.app_context(), _db(application).session_scope() as session:
        create_ahead(session, month.date(), months=0)


def test_the_monthly_job_never_queues_every_append_behind_a_reader(pg_role):
    """CREATE TABLE ... PARTITION OF asks for an ACCESS EXCLUSIVE lock on audit_event, with no
    lock_timeout (retention's drop has one): behind any open reader of the log (pg_dump, a
    long export, or the app role keeping a SELECT open on purpose) it waits, and every INSERT
    into audit_event queues behind it, so no request that records can commit until the
    reader ends. The job should give up quickly (lock_timeout) and retry, not stall writes."""
    application, url, role = pg_role
    reader = psycopg.connect(_conninfo(url))
    reader.execute(f"SET ROLE {role}")
    reader.execute("SELECT count(*) FROM audit_event")  # ACCESS SHARE until it ends
    job = Thread(target=_make_partition, args=(application, NOW + timedelta(400)))
    job.start()
    time.sleep(1)
    try:
        with psycopg.connect(_conninfo(url)) as writer:
            writer.execute("SET lock_timeout = '3s'")
            writer.execute(f"SET ROLE {role}")
            writer.execute(EVENT.format(seq=1, at="now()", h="a"))  # LockNotAvailable
    finally:
        reader.rollback()
        reader.close()
        job.join()


def _checkpointed(application: Flask, count: int) -> None:
    _write(application, NOW, count)
    assert _cli(application, "checkpoint").exit_code == 0


def _verify(application: Flask) -> str:
    done = _cli(application, "verify", "--workers", "1", "--no-record")
    assert done.exit_code == 1, done.output
    return str(done.output)


def test_verify_reports_a_dropped_newest_partition_a_checkpoint_covered(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 2)
    _write(application, NEXT_MONTH, 3)
    assert _cli(application, "checkpoint").exit_code == 0  # (its own event: this month's)
    _sql(application, f"DROP TABLE audit_event_{NEXT_MONTH:%Y_%m}")
    assert "chain BROKEN at event 3" in _verify(application)


def test_verify_reports_newest_events_dropped_after_the_checkpoint_that_audit_head_names(pg):  # noqa: F811
    """Events after the newest checkpoint are unkeyed; dropping the newest month's partition
    (or deleting its rows) leaves a chain that verifies. audit_head still names the dropped
    head, for free: verify does not compare its walk's end with it, so the loss of up to a
    checkpoint interval (or more, with the job stopped) goes unreported."""
    application, _ = pg
    _checkpointed(application, 2)
    _write(application, NEXT_MONTH, 3)
    _sql(application, f"DROP TABLE audit_event_{NEXT_MONTH:%Y_%m}")
    (head,) = _sql(application, "SELECT seq FROM homeward_audit_head()")[0]
    assert _sql(application, "SELECT max(seq) FROM audit_event")[0][0] < head
    _verify(application)


def test_verify_reports_a_dropped_partition_in_the_middle(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 2)
    _write(application, NEXT_MONTH, 2)
    _write(application, NEXT_MONTH + timedelta(days=31), 2)
    _sql(application, f"DROP TABLE audit_event_{NEXT_MONTH:%Y_%m}")
    assert "event 3 (missing)" in _verify(application)


def test_verify_reports_a_partition_detached_edited_and_attached_again(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 3)
    _checkpointed(application, 2)
    bound = "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = :n"
    bounds = _sql(application, bound, n=THIS_MONTH)[0][0]
    _sql(application, f"ALTER TABLE audit_event DETACH PARTITION {THIS_MONTH}")
    _owner(application, f"UPDATE {THIS_MONTH} SET object_id = 'x' WHERE seq = 2")
    _sql(application, f"ALTER TABLE audit_event ATTACH PARTITION {THIS_MONTH} {bounds}")
    assert "event 2 (changed)" in _verify(application)


def test_verify_reports_events_deleted_before_and_after_a_checkpoint(pg):  # noqa: F811
    application, _ = pg
    _checkpointed(application, 3)
    _write(application, NOW, 3)
    _owner(application, "DELETE FROM audit_event WHERE seq IN (2, 5)")
    assert "event 2 (missing)" in _verify(application)
    _owner(application, "DELETE FROM audit_event WHERE seq = 1")  # the chain now starts at 3
    assert "event 1 (missing)" in _verify(application)
