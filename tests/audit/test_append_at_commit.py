"""Events are appended at the commit (issue 18): no lock while the request works, nothing lost.

``record()`` queues; the commit takes the chain's lock, chains the queue and inserts it in one
statement. These tests hold the guarantees of :mod:`audit.services` to account.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select, text

from audit import services
from audit.chain import GENESIS_HASH, event_hash
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import CHAIN_LOCK_KEY, flush_pending, record
from audit.verify import verify_chain
from core import migrate
from core.app import create_app
from core.clock import utcnow
from core.db import Database, get_session
from tests import databases
from tests.conftest import make_settings
from tests.fixtures.audit import head_seq
from tests.statements import counting


@pytest.fixture(scope="module")
def scratch_app(backend, key_file, tmp_path_factory):
    """An app on its own database and engine: sessions commit for real (no outer test
    transaction holding the lock)."""
    url = databases.fresh_database(backend, tmp_path_factory.mktemp("append"), "append")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()
    if backend == "postgresql":
        databases.drop_postgres(url)


def _db(app) -> Database:
    return app.extensions["homeward_db"]


def _count(app) -> int:
    with app.app_context(), _db(app).session_scope() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _view(session, index: int = 0) -> AuditEvent:
    return record(
        session, "case.viewed", object_type="case", object_id=uuid.uuid4(), details={"i": index}
    )


def _lock_is_free(app) -> bool:
    """Whether another connection can take the chain's lock right now (and give it back)."""
    engine = _db(app).engine
    assert engine is not None
    with engine.connect() as other:
        taken = other.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": CHAIN_LOCK_KEY})
        if taken:
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": CHAIN_LOCK_KEY})
        other.rollback()
    return bool(taken)


def test_no_lock_is_held_between_record_and_commit(scratch_app, backend):
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    before = _count(scratch_app)
    with scratch_app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        session = get_session()
        event = _view(session, 1)
        session.scalar(select(func.count()).select_from(AuditCheckpoint))  # the request works on
        assert _lock_is_free(scratch_app)
        # another request appends and commits meanwhile: nothing waits for this one
        with _db(scratch_app).session_scope() as other:
            _view(other, 2)
        assert event.seq is None  # not written yet
        session.commit()
        assert event.seq == before + 2
        assert _lock_is_free(scratch_app)  # the commit released it
    with scratch_app.app_context(), _db(scratch_app).session_scope() as session:
        assert verify_chain(session).intact


def test_a_rollback_drops_the_queue_and_the_next_transaction_starts_clean(db_session, request_ctx):
    start = head_seq(db_session)
    _view(db_session, 1)
    _view(db_session, 2)
    db_session.rollback()
    assert not db_session.info.get(services.PENDING)
    _view(db_session, 3)
    db_session.commit()
    written = list(db_session.scalars(select(AuditEvent).where(AuditEvent.seq > start)))
    assert [e.details_dict["i"] for e in written] == [3]


def test_closing_without_commit_drops_the_queue(scratch_app):
    before = _count(scratch_app)
    with scratch_app.app_context():
        session = _db(scratch_app).new_session()
        _view(session)
        session.close()
        assert not session.info.get(services.PENDING)
        _view(session, 2)  # the session is used again: only the new event is appended
        session.commit()
        session.close()
    assert _count(scratch_app) == before + 1


def test_a_savepoint_rolled_back_takes_only_its_own_events(db_session, request_ctx):
    start = head_seq(db_session)
    _view(db_session, 1)
    savepoint = db_session.begin_nested()
    _view(db_session, 2)
    flush_pending(db_session)  # written inside the savepoint, the event recorded before too
    savepoint.rollback()
    _view(db_session, 3)
    db_session.commit()
    written = list(db_session.scalars(select(AuditEvent).where(AuditEvent.seq > start)))
    assert [e.details_dict["i"] for e in written] == [1, 3]
    assert [e.seq for e in written] == [start + 1, start + 2]


def test_a_savepoint_released_keeps_its_events_for_the_commit(db_session, request_ctx):
    start = head_seq(db_session)
    with db_session.begin_nested():
        _view(db_session, 1)
    assert db_session.info.get(services.PENDING)  # releasing a savepoint is not the commit
    db_session.commit()
    assert head_seq(db_session) == start + 1


def test_many_events_land_contiguous_and_chained_in_one_insert(app, db_session, request_ctx):
    start = head_seq(db_session)
    previous = db_session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == start))
    for index in range(40):
        _view(db_session, index)
    with counting(app) as statements:
        db_session.commit()
    inserts = [s for s in statements.seen if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1, statements
    assert "audit_event" in inserts[0]
    written = list(
        db_session.scalars(select(AuditEvent).where(AuditEvent.seq > start).order_by("seq"))
    )
    assert [e.seq for e in written] == list(range(start + 1, start + 41))
    assert [e.details_dict["i"] for e in written] == list(range(40))
    for event in written:
        assert event.prev_hash == (previous or GENESIS_HASH)
        values = {c: getattr(event, c) for c in services.CHAINED_FIELDS}
        assert event.hash == event_hash(values)
        previous = event.hash


def test_reading_the_audit_table_sees_what_was_recorded(db_session, request_ctx):
    start = head_seq(db_session)
    event = record(db_session, "case.updated", details={"i": 7})
    assert event.seq is None
    found = db_session.scalar(select(AuditEvent).where(AuditEvent.seq > start))
    assert found is not None and found.details_dict == {"i": 7}
    assert event.seq == start + 1 and not db_session.info.get(services.PENDING)


def test_a_queued_view_alone_waits_for_the_commit_even_when_history_is_read(
    db_session, request_ctx
):
    start = head_seq(db_session)
    view = _view(db_session, 1)
    db_session.scalars(select(AuditEvent).where(AuditEvent.seq > start)).all()
    assert view.seq is None and db_session.info.get(services.PENDING)
    db_session.commit()
    assert view.seq == start + 1


def test_an_error_while_appending_commits_nothing(scratch_app, monkeypatch):
    before = _count(scratch_app)
    with scratch_app.app_context():
        session = _db(scratch_app).new_session()
        session.add(
            AuditCheckpoint(
                seq=0, head_hash="0" * 64, created_at=utcnow(), signature="s", public_key="p"
            )
        )
        _view(session)

        def broken(_values):
            raise RuntimeError("the chain could not be extended")

        monkeypatch.setattr(services, "event_hash", broken)
        with pytest.raises(RuntimeError, match="could not be extended"):
            session.commit()
        session.rollback()
        session.close()
        monkeypatch.undo()
        with _db(scratch_app).session_scope() as check:
            stored = check.scalar(select(func.count()).select_from(AuditCheckpoint))
    assert stored == 0  # the change went with its event
    assert _count(scratch_app) == before


def test_recording_after_the_queue_was_written_fails_the_commit(scratch_app):
    """A later ``before_commit`` listener that records would lose its event: it fails."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm import Session

    before = _count(scratch_app)

    def late(session):
        if session.info.get("late_record"):
            _view(session)

    sa_event.listen(Session, "before_commit", late)
    try:
        with scratch_app.app_context():
            session = _db(scratch_app).new_session()
            session.info["late_record"] = True
            _view(session)
            with pytest.raises(RuntimeError, match="after its transaction"):
                session.commit()
            session.rollback()
            session.close()
    finally:
        sa_event.remove(Session, "before_commit", late)
    assert _count(scratch_app) == before


THREADS, TRANSACTIONS, PER_TRANSACTION = 8, 40, 12


def test_queues_of_concurrent_transactions_make_one_chain(scratch_app):
    """Several transactions at once each queue many events; the commits chain them whole."""
    errors: list[BaseException] = []
    before = _count(scratch_app)
    barrier = threading.Barrier(THREADS)

    def writer(thread_no: int) -> None:
        try:
            with scratch_app.app_context():
                barrier.wait()
                for t in range(TRANSACTIONS):
                    with _db(scratch_app).session_scope() as session:
                        for i in range(PER_TRANSACTION):
                            record(session, "case.viewed", details={"w": thread_no, "t": t, "i": i})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scratch_app.app_context(), _db(scratch_app).session_scope() as session:
        report = verify_chain(session)
        rows = session.execute(
            select(AuditEvent.details).where(AuditEvent.seq > before).order_by(AuditEvent.seq)
        ).all()
    assert report.intact, report.problem
    assert len(rows) == THREADS * TRANSACTIONS * PER_TRANSACTION
    # each transaction's events are contiguous, in the order they were recorded
    for offset in range(0, len(rows), PER_TRANSACTION):
        block = [AuditEvent(details=r.details).details_dict for r in rows[offset : offset + 12]]
        assert len({(d["w"], d["t"]) for d in block}) == 1
        assert [d["i"] for d in block] == list(range(PER_TRANSACTION))


def test_a_case_view_takes_the_chain_lock_only_in_its_commit(app, client, farida, monkeypatch):
    """The whole request (the view, its reads, the layout) runs without the lock: the only
    time the chain is locked is the ``before_commit`` that appends the view's event."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm import Session

    locked_at: list[bool] = []

    def watch(name: str) -> None:
        """Note, each time ``services.<name>`` takes the lock, whether the commit was on."""
        real = getattr(services, name)

        def watched(session):
            locked_at.append(bool(session.info.get("committing")))
            return real(session)

        monkeypatch.setattr(services, name, watched)

    def committing(session):
        session.info["committing"] = True

    watch("_lock")  # lock_chain's (checkpoints, the verifier)
    watch("_lock_and_head")  # the append's: the lock and the head in one round trip
    sa_event.listen(Session, "before_commit", committing, insert=True)
    try:
        response = client.get(farida)
    finally:
        sa_event.remove(Session, "before_commit", committing)
    assert response.status_code == 200
    assert locked_at == [True]
