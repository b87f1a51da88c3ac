"""Second reader's attacks on the fast, chunked verifier: each tampering is judged by the fast
walk (one worker and two) exactly as the reference walk (ORM rows, :func:`_classify` on every
event) judges it, and never as "intact" when the reference says otherwise."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from audit import verify as verify_module
from audit.chain import CHAINED_FIELDS, event_hash
from audit.checkpoints import public_key_hex, sign
from audit.models import AuditEvent
from audit.verify import (
    _check_truncation,
    _classify,
    _Cursor,
    _with_lookahead,
    iter_event_rows,
    verify_chain,
)
from core import migrate
from core.app import create_app
from core.clock import utcnow
from tests import databases
from tests.conftest import make_settings
from tests.fixtures.audit import build_chain, tampering

COUNT = 40
CHUNK = 10  # chunks 1-10, 11-20, 21-30, 31-40


@pytest.fixture
def chain(backend, key_file, tmp_path, monkeypatch):
    monkeypatch.setattr(verify_module, "CHUNK_EVENTS", CHUNK)
    url = databases.fresh_database(backend, tmp_path, "verifyatk")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    database = application.extensions["homeward_db"]
    with application.app_context():
        with database.session_scope() as session:
            build_chain(session, COUNT)
        yield application, database, backend
    database.engine.dispose()
    if backend == "postgresql":
        databases.drop_postgres(url)


def _seed(application) -> bytes:
    return application.extensions["homeward_keys"].checkpoint_signing_key


def _reference(database, checkpoints=()) -> Any:
    """The verdict of the walk before the change: every row through the ORM and _classify."""
    with database.session_scope() as session:
        cursor = _Cursor()
        for checkpoint in checkpoints:
            cursor.checkpoints.setdefault(checkpoint.seq, []).append(checkpoint)
        for row, following in _with_lookahead(iter_event_rows(session, 3)):
            problem = _classify(row, following, cursor)
            if problem is not None:
                return (problem.seq, problem.kind)
            cursor.before_hash, cursor.seq, cursor.hash = cursor.hash, row.seq, row.hash
        problem = _check_truncation(cursor.seq, list(checkpoints))
        return None if problem is None else (problem.seq, problem.kind)


def _fast(application, database, workers: int, checkpoints=()) -> Any:
    with database.session_scope() as session:
        report = verify_chain(
            session,
            checkpoints=list(checkpoints),
            trusted_keys={public_key_hex(_seed(application))},
            batch_size=3,
            end_read_transactions=True,
            workers=workers,
        )
    return None if report.problem is None else (report.problem.seq, report.problem.kind)


def _same_verdict(application, database, checkpoints=()) -> Any:
    """Fast (1 and 2 workers) == reference; an exception in the reference must be one too."""
    try:
        expected: Any = _reference(database, checkpoints)
    except Exception:
        expected = "raises"
    for workers in (1, 2):
        try:
            got: Any = _fast(application, database, workers, checkpoints)
        except Exception:
            got = "raises"
        assert got == expected, f"workers={workers}: fast {got} != reference {expected}"
    return expected


def _tamper(database, *statements) -> None:
    with database.session_scope() as session, tampering(session):
        for statement in statements:
            session.execute(statement)


def _values(database, seq: int) -> dict[str, Any]:
    with database.session_scope() as session:
        event = session.get(AuditEvent, seq)
        assert event is not None
        return {f: getattr(event, f) for f in (*CHAINED_FIELDS, "hash")}


# --- field edits whose text form might differ between the fast path and the reference ---


@pytest.mark.parametrize("target", [1, 10, 11, 40])
def test_sqlite_text_forms_the_reference_reads_the_same(chain, target):
    """Upper-case / hyphenated uuids, a time without microseconds or with an offset: SQLite
    keeps the text, the ORM reads the same value. The reference says intact; so must the fast
    path (which falls back for any form it does not know)."""
    application, database, backend = chain
    if backend != "sqlite":
        pytest.skip("PostgreSQL stores uuids and times as values, not text")
    for column, expression in [
        ("actor_user_id", "upper(actor_user_id)"),
        (
            "case_id",
            "substr(case_id,1,8)||'-'||substr(case_id,9,4)||'-'||substr(case_id,13,4)"
            "||'-'||substr(case_id,17,4)||'-'||substr(case_id,21)",
        ),
        ("occurred_at", "occurred_at||'+00:00'"),
        ("occurred_at", "replace(occurred_at,' ','T')"),
    ]:
        _tamper(
            database, text(f"UPDATE audit_event SET {column} = {expression} WHERE seq = {target}")
        )
        assert _same_verdict(application, database) in (None, (target, "changed"))


def test_sqlite_time_without_microseconds_moves_nothing(chain):
    application, database, backend = chain
    if backend != "sqlite":
        pytest.skip("SQLite's text time only")
    _tamper(
        database,
        text("UPDATE audit_event SET occurred_at = substr(occurred_at,1,19) WHERE seq = 7"),
    )
    assert _same_verdict(application, database) == (7, "changed")


@pytest.mark.parametrize(
    "column,new",
    [
        ("actor_role", ""),  # NULL vs empty string in both directions
        ("object_type", None),
        ("ip_address", "203.0.113.7\x00"),
        ("object_id", "caf\u00e9"),
        ("details", '{"index":3,"fields":["stage","plan"]}'),  # key order
        ("details", "{}"),
        ("user_agent_fingerprint", "\u2028"),
    ],
)
@pytest.mark.parametrize("target", [1, 20, 21, 40])
def test_field_edits_are_changed(chain, column, new, target):
    application, database, backend = chain
    if backend == "postgresql" and isinstance(new, str) and "\x00" in new:
        new = new.replace("\x00", "\x01")  # PostgreSQL text holds no NUL
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == target).values({column: new}))
    assert _same_verdict(application, database) == (target, "changed")


def test_unicode_normalisation_is_an_edit(chain):
    application, database, _ = chain
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == 9).values(object_id="cafe\u0301"))
    first = _same_verdict(application, database)
    assert first == (9, "changed")
    assert unicodedata.normalize("NFC", "cafe\u0301") != "cafe\u0301"


def test_postgresql_bc_era_is_not_intact(chain):
    """2026 BC formats as "2026-..." under to_char's YYYY: the fast form of an event moved two
    thousand years back equals its hash input. The reference cannot read such a time."""
    application, database, backend = chain
    if backend != "postgresql":
        pytest.skip("SQLite has no era")
    _tamper(
        database,
        text(
            "UPDATE audit_event SET occurred_at = (to_char(occurred_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS.US') || '+00 BC')::timestamptz WHERE seq = 12"
        ),
    )
    assert _same_verdict(application, database) != None  # noqa: E711
    for workers in (1, 2):
        try:
            verdict = _fast(application, database, workers)
        except Exception:  # noqa: S112 - raising is not "intact"
            continue
        assert verdict is not None


def test_postgresql_session_time_zone_does_not_matter(chain):
    application, database, backend = chain
    if backend != "postgresql":
        pytest.skip("PostgreSQL session setting")
    with database.session_scope() as session:
        session.execute(
            text(
                "ALTER DATABASE "
                + session.get_bind().url.database
                + " SET timezone TO 'Pacific/Chatham'"
            )
        )
    database.engine.dispose()
    assert _same_verdict(application, database) is None


# --- sequence numbers ---


def _copy(database, seq: int, new_seq: int, rehash: bool = False, prev: str | None = None):
    values = _values(database, seq)
    values["seq"] = new_seq
    if prev is not None:
        values["prev_hash"] = prev
    if rehash:
        values["hash"] = event_hash(values)
    else:
        values["hash"] = values["hash"][:-4] + "beef"  # unique, and wrong
    return insert(AuditEvent).values(values)


@pytest.mark.parametrize("seq", [0, -1, -(2**40)])
def test_events_at_or_below_zero(chain, seq):
    """Neither walk reads seq <= 0 (pre-existing): the verdicts must at least agree. PostgreSQL
    refuses such an event outright (``CHECK (seq > 0)``, even with the triggers off)."""
    application, database, backend = chain
    if backend == "postgresql":
        with pytest.raises(IntegrityError, match="seq_positive"):
            _tamper(database, _copy(database, 1, seq, rehash=True))
        return
    _tamper(database, _copy(database, 1, seq, rehash=True))
    assert _same_verdict(application, database) is None


@pytest.mark.parametrize("after", [10, 40, 10**4])
def test_gap_then_far_event(chain, after):
    """One event far beyond the head: the reference names the gap at once; the chunked walk
    must too, without cutting the empty range into a chunk per CHUNK_EVENTS (time, memory)."""
    application, database, _ = chain
    _tamper(database, _copy(database, 40, 40 + after, rehash=True))
    started = time.perf_counter()
    assert _same_verdict(application, database) == (41, "missing")
    assert time.perf_counter() - started < 30


def test_huge_sequence_number_does_not_exhaust_memory(chain, monkeypatch):
    application, database, _ = chain
    monkeypatch.setattr(verify_module, "CHUNK_EVENTS", 250_000)
    _tamper(database, _copy(database, 40, 2**62, rehash=True))
    started = time.perf_counter()
    assert _fast(application, database, 2) == (41, "missing")
    assert time.perf_counter() - started < 30


# --- workers and chunks ---


@pytest.mark.parametrize("workers", [2, 64])
def test_more_workers_than_events(chain, workers):
    application, database, _ = chain
    assert _fast(application, database, workers) is None
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == COUNT).values(outcome="x"))
    assert _fast(application, database, workers) == (COUNT, "changed")
    _tamper(database, update(AuditEvent).where(AuditEvent.seq == 1).values(outcome="x"))
    assert _fast(application, database, workers) == (1, "changed")


def test_a_worker_exception_is_not_intact(chain, monkeypatch):
    application, database, _ = chain

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("worker died")

    monkeypatch.setattr(verify_module, "_walk", boom)  # forked workers inherit it
    with pytest.raises(RuntimeError):
        _fast(application, database, 2)


@pytest.mark.parametrize("pin", [10, 11, 20, 21, 40])
def test_checkpoints_exactly_on_seams(chain, pin):
    """A rewritten chain from event 5 on, caught by a checkpoint on (or next to) a seam; and a
    forged checkpoint (a wrong head hash, well signed by someone else's key) at the same place."""
    application, database, _ = chain
    seed = _seed(application)
    honest = sign(seed, pin, _values(database, pin)["hash"], utcnow())
    with database.session_scope() as session, tampering(session):
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.seq >= 5).order_by(AuditEvent.seq)
        ).all()
        prev = None
        for event in events:
            values = {f: getattr(event, f) for f in CHAINED_FIELDS}
            if event.seq == 5:
                values["outcome"] = "denied"
            if prev is not None:
                values["prev_hash"] = prev
            prev = event_hash(values)
            session.execute(
                update(AuditEvent)
                .where(AuditEvent.seq == event.seq)
                .values(outcome=values["outcome"], prev_hash=values["prev_hash"], hash=prev)
            )
    assert _same_verdict(application, database, [honest]) == (pin, "changed")
    forged = sign(b"\x01" * 32, pin, _values(database, pin)["hash"], utcnow())
    for workers in (1, 2):
        with database.session_scope() as session:
            report = verify_chain(
                session,
                checkpoints=[forged],
                trusted_keys={public_key_hex(seed)},
                batch_size=3,
                workers=workers,
            )
        assert report.problem is not None and report.problem.kind == "checkpoint"


def test_truncation_exactly_at_a_seam(chain):
    application, database, _ = chain
    seed = _seed(application)
    pin = sign(seed, COUNT, _values(database, COUNT)["hash"], utcnow())
    _tamper(database, text("DELETE FROM audit_event WHERE seq > 20"))
    assert _same_verdict(application, database, [pin]) == (21, "truncated")
