"""Fourth security review of the audit partitions (commits b01aea1, f31a3c8, 0418c51, d011a7c,
5712326, f3ca3e6), second reader.

Each test states the guarantee it checks; a failing test is a finding of the review, a
passing one pins what was tried against the database's chain continuity and held."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from threading import Thread

import psycopg
import pytest

from audit.chain import event_hash
from audit.commands import _keys
from audit.retention import run
from audit.verify import verify_chain
from audit.verify_signing import verified_checkpoint
from core import migrate
from tests.audit.test_partitions import (  # noqa: F401
    BEFORE_PARTITIONS,
    NOW,
    _cli,
    _db,
    _old_months,
    _sql,
    _write,
    pg,
)
from tests.audit.test_review3_partitions import _as_role, _conninfo, pg_role  # noqa: F401
from tests.audit.test_review_partitions import EVENT

pytestmark = pytest.mark.postgres_only

HEAD = "SELECT seq, hash FROM homeward_audit_head()"
FOLLOW = "(SELECT hash FROM homeward_audit_head())"
COLUMNS = "(seq, occurred_at, action, outcome, details, prev_hash, hash)"


def _event(seq: int, h: str, prev: str = FOLLOW, table: str = "audit_event") -> str:
    event = EVENT.format(seq=seq, at="now()", h=h).replace("repeat('0', 64)", prev)
    return event.replace("INTO audit_event ", f"INTO {table} ")


def _honest(conn: psycopg.Connection, seq: int) -> None:
    """Append event ``seq`` on ``conn`` as the app role may, hashed as the verifier expects."""
    [(prev,)] = conn.execute("SELECT hash FROM homeward_audit_head()").fetchall()
    at = datetime.now(UTC)
    fields = {"seq": seq, "occurred_at": at, "action": "probe", "outcome": "ok", "details": "{}"}
    conn.execute(
        f"INSERT INTO audit_event {COLUMNS} VALUES (%s, %s, 'probe', 'ok', '{{}}', %s, %s)",
        (seq, at, prev, event_hash({**fields, "prev_hash": prev})),
    )


def _report(application):
    with application.app_context(), _db(application).session_scope() as session:
        return verify_chain(session, end_read_transactions=True)


def test_a_next_event_with_a_wrong_hash_is_reported_and_appends_go_on(pg_role):  # noqa: F811
    """The trigger checks seq and prev_hash, not the hash: the app role may append the right
    next event with any hash. Appends must go on after it and verify must name it."""
    application, url, role = pg_role
    _write(application, NOW, 2)
    _as_role(url, role, _event(3, "f"))
    _write(application, NOW, 2)
    assert _sql(application, HEAD)[0][0] == 5
    report = _report(application)
    assert not report.intact and "3" in str(report.problem)


def test_copy_is_checked_like_insert(pg_role):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 1)
    with psycopg.connect(_conninfo(url)) as conn, pytest.raises(psycopg.errors.IntegrityError):
        conn.execute(f"SET ROLE {role}")
        with conn.cursor().copy(f"COPY audit_event {COLUMNS} FROM STDIN") as copy:
            copy.write_row((2**62, NOW, "p", "ok", "{}", "0" * 64, "f" * 64))
    assert _sql(application, HEAD)[0][0] == 1


def test_rows_of_one_insert_out_of_order_are_refused(pg_role):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 1)
    (seq, head) = _sql(application, HEAD)[0]
    values = (
        f"({seq + 2}, now(), 'p', 'ok', '{{}}', repeat('b', 64), repeat('c', 64)), "
        f"({seq + 1}, now(), 'p', 'ok', '{{}}', '{head}', repeat('b', 64))"
    )
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, f"INSERT INTO audit_event {COLUMNS} VALUES {values}")
    assert _sql(application, HEAD) == [(seq, head)]


def test_a_savepoint_rolled_back_takes_the_head_back_with_it(pg_role):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 1)
    with psycopg.connect(_conninfo(url)) as conn:
        conn.execute(f"SET ROLE {role}")
        conn.execute("SAVEPOINT s")
        conn.execute(_event(2, "a"))
        conn.execute("ROLLBACK TO SAVEPOINT s")
        conn.execute(_event(2, "b"))
    assert _sql(application, HEAD) == [(2, "b" * 64)]
    _write(application, NOW, 1)
    assert _sql(application, HEAD)[0][0] == 3


def test_two_appenders_racing_for_the_same_next_event_one_wins(pg_role):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 1)
    first = psycopg.connect(_conninfo(url))
    first.execute(f"SET ROLE {role}")
    first.execute(_event(2, "a"))
    errors: list[BaseException] = []

    def second() -> None:
        try:
            _as_role(url, role, _event(2, "b", "(SELECT hash FROM audit_event WHERE seq = 1)"))
        except BaseException as error:
            errors.append(error)

    thread = Thread(target=second)
    thread.start()
    time.sleep(1)
    first.commit()
    first.close()
    thread.join(20)
    assert len(errors) == 1 and isinstance(errors[0], psycopg.errors.IntegrityError)
    assert _sql(application, HEAD) == [(2, "a" * 64)]


def test_an_insert_into_the_default_partition_is_checked(pg_role):  # noqa: F811
    application, url, role = pg_role
    _write(application, NOW, 1)
    _sql(application, f"GRANT INSERT ON audit_event_default TO {role}")
    with pytest.raises(psycopg.errors.IntegrityError):
        _as_role(url, role, _event(2**62, "f", table="audit_event_default"))
    assert _sql(application, HEAD)[0][0] == 1


def test_an_app_role_connection_holding_the_head_cannot_stall_appends_unbounded(pg_role):  # noqa: F811
    """An app-role session that appends the right next event and never commits holds the
    head row (and audit_seq's key): every later append waits with no lock_timeout."""
    application, url, role = pg_role
    _write(application, NOW, 1)
    holder = psycopg.connect(_conninfo(url))
    holder.execute(f"SET ROLE {role}")
    holder.execute(_event(2, "a"))
    outcome: list[object] = []

    def append() -> None:
        try:
            _write(application, NOW, 1)
            outcome.append("written")
        except BaseException as error:
            outcome.append(error)

    thread = Thread(target=append)
    thread.start()
    thread.join(15)
    stalled = thread.is_alive()
    holder.rollback()
    holder.close()
    thread.join(20)
    assert not stalled, "an append waited more than 15 s behind an app-role transaction"


@pytest.mark.parametrize("in_flight", [False, True])
def test_an_app_role_insert_during_retention_cannot_cost_the_chain_its_anchor(pg_role, in_flight):  # noqa: F811
    """f31a3c8: the anchor signs the newest event the run SEES (``ORDER BY seq DESC``, under
    the advisory lock only), and the verifier takes it only from the event right after that
    one. The app role inserts directly, without that lock: an event it has in flight when the
    run signs is committed while the DROP waits (up to its 5 s lock_timeout), the retention
    event lands one later, the anchor is refused, and the chain no longer verifies: the
    first events are reported missing, for good, after a legitimate retention run."""
    application, url, role = pg_role
    _old_months(application)
    with application.app_context():
        seed = _keys().checkpoint_signing_key
        with _db(application).session_scope() as session:
            checkpoint, _ = verified_checkpoint(session, seed)
    rogue = psycopg.connect(_conninfo(url))
    rogue.execute(f"SET ROLE {role}")
    if in_flight:  # (False: the control, the same run with nothing in flight)
        _honest(rogue, checkpoint.seq + 2)  # (the checkpoint's event is seq + 1)
    failures: list[BaseException] = []

    def retention() -> None:
        try:
            with application.app_context(), _db(application).session_scope() as session:
                assert run(session, seed, 1, checkpoint.seq).drop
        except BaseException as error:
            failures.append(error)

    thread = Thread(target=retention)
    thread.start()
    time.sleep(2)
    rogue.commit()
    rogue.close()
    thread.join(30)
    assert not failures, failures
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert "chain intact" in verified.output, verified.output
    assert _cli(application, "checkpoint").exit_code == 0  # (else no later run re-anchors)


@pytest.mark.parametrize("at", ["'infinity'", "'-infinity'", "'10000-01-01 00:00:00+00'"])
def test_retention_and_checkpoint_name_an_event_no_datetime_holds(pg, at):  # noqa: F811
    """0418c51 made verify report such an event; the other owner commands that read times
    (retention's dry run counts the default partition's months) must not trace back either."""
    application, _ = pg
    _write(application, NOW, 2)
    _sql(application, EVENT.format(seq=3, at=at, h="c").replace("repeat('0', 64)", FOLLOW))
    for args in (("retention", "run", "--dry-run"), ("checkpoint",)):
        result = _cli(application, *args)
        assert isinstance(result.exception, SystemExit | None), (args, repr(result.exception))


def test_after_the_upgrade_copies_a_chain_appends_follow_its_newest_event(pg_role):  # noqa: F811
    """The upgrade sets audit_head once, after its copy of the plain table's events: the
    application and the app role follow the newest one copied."""
    application, url, role = pg_role
    _write(application, NOW, 2)
    migrate.downgrade(url, BEFORE_PARTITIONS)
    migrate.upgrade(url)
    assert _sql(application, HEAD)[0][0] == 2
    with psycopg.connect(_conninfo(url)) as conn:
        conn.execute(f"SET ROLE {role}")
        _honest(conn, 3)
    _write(application, NOW, 1)
    assert _report(application).intact
