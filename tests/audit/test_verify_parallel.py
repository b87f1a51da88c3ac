"""The chunked verifier (``workers``) names exactly what the single walk names: a tampered event
in any chunk, on either side of a seam (the first or last event of a chunk), a link broken across
a seam, and a truncation before a checkpoint; with one worker (in-process) and with two."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from audit import verify as verify_module
from audit.chain import CHAINED_FIELDS, event_hash
from audit.checkpoints import create_checkpoint, public_key_hex
from audit.models import AuditEvent
from audit.verify import stored_checkpoints, verify_chain
from core import migrate
from core.app import create_app
from tests import databases
from tests.conftest import make_settings
from tests.fixtures.audit import build_chain, tampering

COUNT = 40
CHUNK = 10  # chunks 1-10, 11-20, 21-30, 31-40

#: Where a swap parks an event meanwhile (PostgreSQL checks seq > 0, so not -1).
PARKED = 10**12


@pytest.fixture
def committed_chain(backend, key_file, tmp_path, monkeypatch):
    """A fresh database whose chain is committed (worker processes read it on their own)."""
    monkeypatch.setattr(verify_module, "CHUNK_EVENTS", CHUNK)
    url = databases.fresh_database(backend, tmp_path, "verifypar")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    database = application.extensions["homeward_db"]
    with application.app_context():
        with database.session_scope() as session:
            build_chain(session, COUNT)
        yield application, database
    database.engine.dispose()
    if backend == "postgresql":
        databases.drop_postgres(url)


def _seed(application) -> bytes:
    return application.extensions["homeward_keys"].checkpoint_signing_key


def _verify(application, database, workers: int, batch_size: int = 3):
    with database.session_scope() as session:
        return verify_chain(
            session,
            checkpoints=stored_checkpoints(session),
            trusted_keys={public_key_hex(_seed(application))},
            batch_size=batch_size,
            end_read_transactions=True,
            workers=workers,
        )


def _tamper(database, statement) -> None:
    with database.session_scope() as session, tampering(session):
        session.execute(statement)


@pytest.mark.parametrize("workers", [1, 2])
def test_intact_chain_passes_in_chunks(committed_chain, workers):
    application, database = committed_chain
    report = _verify(application, database, workers)
    assert report.intact, report.problem
    assert (report.events_checked, report.head_seq) == (COUNT, COUNT)
    with database.session_scope() as session:
        last = session.get(AuditEvent, COUNT)
        assert last is not None and report.head_hash == last.hash
        # the session is bound to the engine, so workers=2 really runs in worker processes
        assert verify_module._worker_url(session) is not None


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("target", [1, 5, 10, 11, 20, 21, 25, 30, 31, 40])
def test_changed_event_in_each_chunk_and_at_each_seam(committed_chain, workers, target):
    application, database = committed_chain
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == target).values(outcome="x"))
    report = _verify(application, database, workers)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (target, "changed")
    assert report.events_checked == target - 1


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("target", [10, 20, 30])
def test_last_event_of_a_chunk_rehashed_is_caught_by_the_next_chunks_first_link(
    committed_chain, workers, target
):
    application, database = committed_chain
    with database.session_scope() as session:
        event = session.get(AuditEvent, target)
        assert event is not None
        values = {f: getattr(event, f) for f in CHAINED_FIELDS}
    values["outcome"] = "denied"
    _tamper(
        database,
        update(AuditEvent)
        .where(AuditEvent.seq == target)
        .values(outcome="denied", hash=event_hash(values)),
    )
    report = _verify(application, database, workers)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (target, "changed")
    assert "re-hashed" in report.problem.message


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("target", [10, 11, 21, 31])
def test_deleted_event_at_a_seam_is_missing(committed_chain, workers, target):
    application, database = committed_chain
    _tamper(database, delete(AuditEvent).where(AuditEvent.seq == target))
    report = _verify(application, database, workers)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (target, "missing")


@pytest.mark.parametrize("workers", [1, 2])
def test_swap_across_a_seam_is_reordered(committed_chain, workers):
    application, database = committed_chain
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == 20).values(seq=PARKED))
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == 21).values(seq=20))
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == PARKED).values(seq=21))
    report = _verify(application, database, workers)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (20, "reordered")


@pytest.mark.parametrize("workers", [1, 2])
def test_truncation_before_a_checkpoint_in_chunks(committed_chain, workers):
    application, database = committed_chain
    with database.session_scope() as session:
        create_checkpoint(session, _seed(application))  # covers 1..COUNT, then records COUNT + 1
    _tamper(database, delete(AuditEvent).where(AuditEvent.seq > 25))
    report = _verify(application, database, workers)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (26, "truncated")
    assert report.events_checked == 25


def test_verify_command_with_workers_prints_throughput_and_memory(committed_chain):
    application, database = committed_chain
    runner = application.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify", "--workers", "2", "--no-record"])
    assert ok.exit_code == 0, ok.output
    assert f"checked {COUNT} events" in ok.output and "events/s" in ok.output
    assert "chain intact" in ok.output and "peak memory" in ok.output
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == 31).values(action="logout"))
    broken = runner.invoke(args=["audit", "verify", "--workers", "2", "--no-record"])
    assert broken.exit_code == 1
    assert "chain BROKEN at event 31 (changed)" in broken.output


@pytest.mark.parametrize("workers", [1, 2])
def test_rewritten_chain_is_caught_by_a_checkpoint_in_a_later_chunk(committed_chain, workers):
    """Event 25 changed and every later event re-hashed: only the checkpoint at 40 (in the
    fourth chunk, handed only to that chunk's worker) still says what the chain was."""
    application, database = committed_chain
    with database.session_scope() as session:
        create_checkpoint(session, _seed(application))  # pins 40, then records 41
    with database.session_scope() as session, tampering(session):
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.seq >= 25).order_by(AuditEvent.seq)
        ).all()
        prev = None
        for event in events:
            values = {f: getattr(event, f) for f in CHAINED_FIELDS}
            if event.seq == 25:
                values["outcome"] = "denied"
            if prev is not None:
                values["prev_hash"] = prev
            prev = event_hash(values)
            session.execute(
                update(AuditEvent)
                .where(AuditEvent.seq == event.seq)
                .values(outcome=values["outcome"], prev_hash=values["prev_hash"], hash=prev)
            )
    report = _verify(application, database, workers)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (COUNT, "changed")
    assert "checkpoint" in report.problem.message
