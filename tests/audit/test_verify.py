"""The verifier finds every kind of tampering, names the first broken event, and passes intact."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, update

from audit.chain import CHAINED_FIELDS, GENESIS_HASH, event_hash
from audit.checkpoints import create_checkpoint, parse_checkpoint, public_key_hex, sign
from audit.models import AuditCheckpoint, AuditEvent
from audit.verify import stored_checkpoints, verify_chain
from tests.fixtures.audit import build_chain, tampering

COUNT = 12
TARGET = 5

#: Where a swap parks an event meanwhile (PostgreSQL checks seq > 0, so not -1).
PARKED = 10**12


@pytest.fixture
def seed(app):
    return app.extensions["homeward_keys"].checkpoint_signing_key


@pytest.fixture
def chain(request_ctx, db_session):
    events = build_chain(db_session, COUNT)
    db_session.commit()
    return events


def _verify(session, seed, **kwargs):
    return verify_chain(
        session,
        checkpoints=kwargs.pop("checkpoints", stored_checkpoints(session)),
        trusted_keys={public_key_hex(seed)},
        batch_size=kwargs.pop("batch_size", 4),
        **kwargs,
    )


def _changed_value(event: AuditEvent, name: str):
    """The field's value with one character (or one microsecond) changed."""
    value = getattr(event, name)
    if name == "occurred_at":
        return value + timedelta(microseconds=1)
    if isinstance(value, uuid.UUID):
        text = value.hex
        return uuid.UUID(("0" if text[0] != "0" else "1") + text[1:])
    text = str(value)
    return ("x" if text[0] != "x" else "y") + text[1:]


def test_intact_chain_passes(chain, db_session, seed):
    report = _verify(db_session, seed)
    assert report.intact, report.problem
    assert report.events_checked == COUNT
    assert report.head_seq == COUNT and report.head_hash == chain[-1].hash
    assert report.rate > 0


def test_empty_chain_is_intact(request_ctx, db_session, seed):
    report = _verify(db_session, seed)
    assert report.intact and report.events_checked == 0 and report.head_hash == GENESIS_HASH


@pytest.mark.parametrize("name", [f for f in CHAINED_FIELDS if f != "seq"] + ["hash"])
def test_one_changed_field_is_found(chain, db_session, seed, name):
    target = chain[TARGET - 1]
    with tampering(db_session):
        db_session.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == TARGET)
            .values({name: _changed_value(target, name)})
        )
    report = _verify(db_session, seed)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (TARGET, "changed")
    assert report.events_checked == TARGET - 1


def test_changed_and_rehashed_event_is_found_by_the_next_link(chain, db_session, seed):
    target = chain[TARGET - 1]
    values = {f: getattr(target, f) for f in CHAINED_FIELDS}
    values["outcome"] = "denied"
    with tampering(db_session):
        db_session.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == TARGET)
            .values(outcome="denied", hash=event_hash(values))
        )
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (TARGET, "changed")
    assert "re-hashed" in report.problem.message


def test_deleted_event_is_missing(chain, db_session, seed):
    with tampering(db_session):
        db_session.execute(delete(AuditEvent).where(AuditEvent.seq == TARGET))
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (TARGET, "missing")


def test_sequence_number_moved_away_is_missing(chain, db_session, seed):
    with tampering(db_session):
        db_session.execute(
            update(AuditEvent).where(AuditEvent.seq == TARGET).values(seq=COUNT + 1000)
        )
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (TARGET, "missing")


def _forged(prev: AuditEvent, seq: int) -> dict:
    values = {f: getattr(prev, f) for f in CHAINED_FIELDS}
    values.update(seq=seq, action="login.succeeded", prev_hash=prev.hash, case_id=None)
    values["hash"] = event_hash(values)
    return values


def test_inserted_event_with_later_events_renumbered(chain, db_session, seed):
    with tampering(db_session):
        for seq in range(COUNT, TARGET - 1, -1):
            db_session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(seq=seq + 1))
        db_session.execute(insert(AuditEvent).values(_forged(chain[TARGET - 2], TARGET)))
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (TARGET, "inserted")


def test_inserted_event_that_later_events_skip(chain, db_session, seed):
    """An event slipped in at the end of a hole left by a removed one: the next link skips it."""
    with tampering(db_session):
        db_session.execute(delete(AuditEvent).where(AuditEvent.seq == TARGET))
        forged = _forged(chain[TARGET - 2], TARGET)
        forged.update(action="logout")
        forged["hash"] = event_hash(forged)
        db_session.execute(insert(AuditEvent).values(forged))
    report = _verify(db_session, seed)
    assert report.problem.seq == TARGET
    assert report.problem.kind in {"inserted", "changed"}


def test_two_swapped_events_are_reordered(chain, db_session, seed):
    with tampering(db_session):
        db_session.execute(update(AuditEvent).where(AuditEvent.seq == TARGET).values(seq=PARKED))
        db_session.execute(
            update(AuditEvent).where(AuditEvent.seq == TARGET + 1).values(seq=TARGET)
        )
        db_session.execute(
            update(AuditEvent).where(AuditEvent.seq == PARKED).values(seq=TARGET + 1)
        )
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (TARGET, "reordered")


def test_swap_at_a_batch_boundary_is_reordered(chain, db_session, seed):
    with tampering(db_session):
        db_session.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(seq=PARKED))
        db_session.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(seq=4))
        db_session.execute(update(AuditEvent).where(AuditEvent.seq == PARKED).values(seq=5))
    report = _verify(db_session, seed, batch_size=4)
    assert (report.problem.seq, report.problem.kind) == (4, "reordered")


def test_tail_removed_after_a_stored_checkpoint_is_truncation(chain, db_session, seed):
    create_checkpoint(db_session, seed)  # covers 1..COUNT, then records event COUNT + 1
    db_session.commit()
    with tampering(db_session):
        db_session.execute(delete(AuditEvent).where(AuditEvent.seq > COUNT - 3))
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (COUNT - 2, "truncated")
    assert f"covers {COUNT}" in report.problem.message


def test_tail_removed_with_the_checkpoints_is_caught_by_the_offsite_copy(chain, db_session, seed):
    offsite = parse_checkpoint(create_checkpoint(db_session, seed).to_json())
    db_session.commit()
    with tampering(db_session):
        db_session.execute(delete(AuditCheckpoint))
        db_session.execute(delete(AuditEvent).where(AuditEvent.seq > COUNT - 1))
    alone = _verify(db_session, seed)
    if db_session.get_bind().dialect.name == "postgresql":  # audit_head names event COUNT + 1
        assert alone.problem is not None and alone.problem.kind == "truncated"
    else:
        assert alone.intact
    report = _verify(db_session, seed, checkpoints=[offsite])
    assert (report.problem.seq, report.problem.kind) == (COUNT, "truncated")


def test_rewritten_chain_differs_from_the_checkpoint(chain, db_session, seed):
    """Re-hashing everything from an event on fools the links but not the signed checkpoint."""
    create_checkpoint(db_session, seed)
    db_session.commit()
    with tampering(db_session):
        prev_hash = chain[TARGET - 2].hash
        for event in chain[TARGET - 1 :]:
            values = {f: getattr(event, f) for f in CHAINED_FIELDS}
            values.update(
                prev_hash=prev_hash, outcome="failed" if event.seq == TARGET else event.outcome
            )
            new_hash = event_hash(values)
            db_session.execute(
                update(AuditEvent)
                .where(AuditEvent.seq == event.seq)
                .values(outcome=values["outcome"], prev_hash=prev_hash, hash=new_hash)
            )
            prev_hash = new_hash
        db_session.execute(delete(AuditEvent).where(AuditEvent.seq > COUNT))
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (COUNT, "changed")
    assert "checkpoint" in report.problem.message


def test_forged_checkpoint_signature_is_refused(chain, db_session, seed):
    other_key = bytes(range(32))
    forged = sign(other_key, COUNT, chain[-1].hash, chain[-1].occurred_at)
    report = _verify(db_session, seed, checkpoints=[forged])
    assert report.problem.kind == "checkpoint"
    good = sign(seed, COUNT, chain[-1].hash, chain[-1].occurred_at)
    tampered = type(good)(
        good.seq + 1, good.head_hash, good.created_at, good.signature, good.public_key
    )
    assert _verify(db_session, seed, checkpoints=[tampered]).problem.kind == "checkpoint"
    assert _verify(db_session, seed, checkpoints=[good]).intact


def test_first_event_must_start_from_genesis(request_ctx, db_session, seed):
    first = build_chain(db_session, 2)[0]
    values = {f: getattr(first, f) for f in CHAINED_FIELDS}
    values["prev_hash"] = "1" * 64
    with tampering(db_session):
        db_session.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == 1)
            .values(prev_hash="1" * 64, hash=event_hash(values))
        )
    report = _verify(db_session, seed)
    assert (report.problem.seq, report.problem.kind) == (1, "changed")


def test_verify_command_exit_codes_and_output(app, chain, db_session, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "checkpoint.json"
    made = runner.invoke(args=["audit", "checkpoint", "--output", str(out)])
    assert made.exit_code == 0, made.output
    assert parse_checkpoint(out.read_text()).seq == COUNT
    stdout = runner.invoke(args=["audit", "checkpoint"])
    assert stdout.exit_code == 0 and parse_checkpoint(stdout.stdout).seq == COUNT + 1
    ok = runner.invoke(args=["audit", "verify", "--from-checkpoint", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "chain intact" in ok.output and "events/s" in ok.output
    assert f"checked {COUNT + 2} events" in ok.output
    with tampering(db_session):
        db_session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(action="logout"))
    db_session.commit()
    broken = runner.invoke(args=["audit", "verify", "--no-record"])
    assert broken.exit_code == 1
    assert "chain BROKEN at event 3 (changed)" in broken.output


def test_verify_command_refuses_a_malformed_checkpoint_file(app, chain, db_session, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--from-checkpoint", str(bad)])
    assert result.exit_code == 2


def test_verify_from_a_checkpoint_walks_only_what_follows_it(chain, db_session, seed):
    start = create_checkpoint(db_session, seed)
    db_session.commit()
    report = _verify(db_session, seed, start=start)
    assert report.intact and report.events_checked == 1 and report.head_seq == COUNT + 1
    with tampering(db_session):
        db_session.execute(update(AuditEvent).where(AuditEvent.seq == COUNT).values(action="x"))
    report = _verify(db_session, seed, start=start)
    assert (report.problem.seq, report.problem.kind) == (COUNT, "changed")
    with tampering(db_session):
        db_session.execute(delete(AuditEvent).where(AuditEvent.seq == COUNT))
    report = _verify(db_session, seed, start=start)
    assert (report.problem.seq, report.problem.kind) == (COUNT, "missing")
