"""Second reader of issue 18, P5: the append's Core insert, its signal and the lock-and-head call.

Each test pins a guarantee the P5 change must keep and no other test held it to:

* a receiver of ``audit.signals.events_appended`` that raises fails the commit whole (the
  change goes with its events), cannot be retried into a commit, and leaves the session clean;
* ``homeward_audit_lock_head()`` lets its caller name the lock key: a caller (the app role)
  that passes another key is not serialised with the application, so the database's head
  trigger, not the lock, is what refuses the forked chain it would then write.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import select, text

from audit import services
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY
from audit.signals import events_appended
from audit.verify import verify_chain
from tests.audit.test_database_role import app_role  # noqa: F401 (fixture)
from tests.audit.test_partitions import pg  # noqa: F401 (fixture)
from tests.audit.test_review3_partitions import pg_role  # noqa: F401 (fixture)
from tests.audit.test_review_append_at_commit import (  # noqa: F401 (fixture)
    _change,
    _count,
    _db,
    _edit,
    scratch_app,
)

#: Every ``session.info`` key the append (and the skeleton's tracking) keeps for a transaction.
APPEND_KEYS = (
    services.PENDING,
    services.IN_SAVEPOINT,
    services.SEALED,
    services.WRITING,
    services.FAILED,
)


def _refusing(_sender, session, events, **_extra):
    """A receiver that fails, for the sessions that ask for it only (the signal is global)."""
    if session.info.get("review5_refuse"):
        raise RuntimeError("a receiver of events_appended failed")


def test_a_receiver_that_raises_fails_the_commit_whole_and_the_session_records_again(
    scratch_app,  # noqa: F811
):
    events, changes = _count(scratch_app), _count(scratch_app, AuditCheckpoint)
    events_appended.connect(_refusing)
    try:
        with scratch_app.app_context():
            session = _db(scratch_app).new_session()
            session.info["review5_refuse"] = True
            _change(session)
            _edit(session, 1)
            with pytest.raises(RuntimeError, match="receiver of events_appended"):
                session.commit()
            assert session.info.get(services.FAILED)  # the events were taken from the queue
            with pytest.raises(RuntimeError, match="roll it back"):
                session.commit()  # a retry would keep the change without its event
            session.rollback()
            assert not [key for key in APPEND_KEYS if key in session.info]
            session.info.pop("review5_refuse")
            _edit(session, 2)
            session.commit()
            session.close()
    finally:
        events_appended.disconnect(_refusing)
    assert _count(scratch_app, AuditCheckpoint) == changes
    assert _count(scratch_app) == events + 1


def test_events_appended_names_the_events_chained_in_order(scratch_app):  # noqa: F811
    """The receivers get the events as written: transient, chained, in the chain's order."""
    heard: list[list[tuple[int, str, str]]] = []

    def hear(_sender, session, events, **_extra):
        if session.info.get("review5_hear"):
            heard.append([(e.seq, e.prev_hash, e.hash) for e in events])

    events_appended.connect(hear)
    try:
        with scratch_app.app_context():
            session = _db(scratch_app).new_session()
            session.info["review5_hear"] = True
            recorded = [_edit(session, index) for index in range(3)]
            session.commit()
            stored = session.execute(
                select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash)
                .order_by(AuditEvent.seq.desc())
                .limit(3)
            ).all()
            session.close()
    finally:
        events_appended.disconnect(hear)
    assert heard == [[(e.seq, e.prev_hash, e.hash) for e in recorded]]
    assert [tuple(row) for row in reversed(stored)] == heard[0]
    assert heard[0][1][1] == heard[0][0][2] and heard[0][2][1] == heard[0][1][2]


EVENT = (
    "INSERT INTO audit_event (seq, occurred_at, action, outcome, details, prev_hash, hash) "
    "VALUES (%s, now(), 'probe', 'ok', '{}', %s, %s)"
)
LOCK_HEAD = "SELECT seq, hash FROM homeward_audit_lock_head(%s, %s)"


def _as(conninfo: str, role: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo)
    conn.execute(f"SET ROLE {role}")
    conn.commit()
    return conn


@pytest.mark.postgres_only
@pytest.mark.parametrize("second_waits", [False, True], ids=["after", "during"])
def test_another_lock_key_does_not_serialise_but_the_fork_is_refused(
    app_role,  # noqa: F811
    second_waits,
):
    """The app role calls the function with a key of its own: nothing waits, both read the
    same head and both write the next event. The one that comes second (inserting after the
    first committed, or while the first is still open) is refused; the chain keeps one."""
    conninfo, role = app_role
    genesis = "0" * 64
    with _as(conninfo, role) as first, _as(conninfo, role) as second:
        first.execute(LOCK_HEAD, (APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY))
        started = time.monotonic()
        head = second.execute(LOCK_HEAD, (APPEND_LOCK_TIMEOUT, CHAIN_LOCK_KEY + 1)).fetchone()
        assert time.monotonic() - started < 1  # another key: not serialised with `first`
        assert head == (None, None)  # the same (empty) head `first` read
        first.execute(EVENT, (1, genesis, "a" * 64))
        failures: list[BaseException] = []

        def fork() -> None:
            try:
                second.execute(EVENT, (1, genesis, "b" * 64))
            except psycopg.Error as exc:
                failures.append(exc)

        if second_waits:
            forker = threading.Thread(target=fork)
            forker.start()
            time.sleep(0.3)  # `second` now waits for `first`'s claim on seq 1
            first.commit()
            forker.join(timeout=10)
        else:
            first.commit()
            fork()
        assert failures and isinstance(failures[0], psycopg.errors.IntegrityError), failures
        second.rollback()
    with psycopg.connect(conninfo) as owner:
        assert owner.execute("SELECT seq, hash FROM audit_event").fetchall() == [(1, "a" * 64)]
        assert owner.execute("SELECT seq, hash FROM homeward_audit_head()").fetchone() == (
            1,
            "a" * 64,
        )


@pytest.mark.postgres_only
def test_the_application_appends_as_the_app_role(pg_role):  # noqa: F811
    """The whole write path (the lock-and-head call, the Core insert, the signal) under the
    documented app role's privileges, twice, then a commit that did not record: the chain
    verifies and the head follows it."""
    application, _url, role = pg_role
    with application.app_context():
        session = _db(application).new_session()
        try:
            session.execute(text(f"SET ROLE {role}"))  # the connection's, until RESET below
            for index in range(2):
                _edit(session, index)
                _edit(session, index + 10)
                session.commit()
                assert session.execute(text("SELECT current_user")).scalar() == role
            session.commit()
        finally:
            session.execute(text("RESET ROLE"))
            session.commit()
            session.close()
        with _db(application).session_scope() as check:
            report = verify_chain(check, end_read_transactions=True)
            head = check.execute(text("SELECT seq FROM homeward_audit_head()")).scalar()
    assert report.intact, report.problem
    assert head == report.head_seq == 4
