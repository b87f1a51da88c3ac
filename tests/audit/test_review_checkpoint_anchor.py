"""Second reading of the per-minute checkpoint: it must not trust the database for its anchor.

``homeward audit checkpoint`` starts its walk at the newest checkpoint *stored in the database*.
Whoever can rewrite the events can also (as table owner) delete the checkpoint rows: the next
cron run then walks the rewritten chain from the genesis, finds it consistent, and signs it,
and ``verify`` goes back to reporting a fresh, intact chain. The checkpoint it wrote last time
(``--output FILE``, kept where the database's owner cannot write) must anchor the next run.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select, update

from audit.chain import CHAINED_FIELDS, event_hash
from audit.models import AuditCheckpoint, AuditEvent
from tests.fixtures.audit import build_chain, tampering

COUNT = 8


def _checkpoints(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditCheckpoint))


def _rewrite_all(db_session) -> None:
    """Change event 3, re-hash it and every event after it; drop the checkpoint rows."""
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    prev_hash = None
    with tampering(db_session):
        db_session.execute(delete(AuditCheckpoint))
        for event in events:
            values = {f: getattr(event, f) for f in CHAINED_FIELDS}
            if prev_hash is not None:
                values["prev_hash"] = prev_hash
            if event.seq == 3:
                values["outcome"] = "denied"
            new_hash = event_hash(values)
            db_session.execute(
                update(AuditEvent)
                .where(AuditEvent.seq == event.seq)
                .values(outcome=values["outcome"], prev_hash=values["prev_hash"], hash=new_hash)
            )
            prev_hash = new_hash
    db_session.commit()


def test_the_last_written_checkpoint_anchors_the_next_run(app, request_ctx, db_session, tmp_path):
    build_chain(db_session, COUNT)
    db_session.commit()
    kept = tmp_path / "last-checkpoint.json"
    runner = app.test_cli_runner()
    first = runner.invoke(args=["audit", "checkpoint", "--output", str(kept)])
    assert first.exit_code == 0, first.output

    _rewrite_all(db_session)
    assert _checkpoints(db_session) == 0

    again = runner.invoke(args=["audit", "checkpoint", "--output", str(kept)])
    assert again.exit_code == 1, again.output
    assert "no checkpoint signed" in again.output
    assert _checkpoints(db_session) == 0
    # And the kept file still holds the good checkpoint, for `verify --from-checkpoint`.
    check = runner.invoke(args=["audit", "verify", "--no-record", "--from-checkpoint", str(kept)])
    assert check.exit_code == 1 and "chain BROKEN" in check.output


def test_a_kept_checkpoint_that_does_not_read_is_refused(app, request_ctx, db_session, tmp_path):
    build_chain(db_session, COUNT)
    db_session.commit()
    kept = tmp_path / "last-checkpoint.json"
    kept.write_text("{}", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint", "--output", str(kept)])
    assert result.exit_code == 2
    assert _checkpoints(db_session) == 0


def test_the_cadence_still_works_with_a_kept_file(app, request_ctx, db_session, tmp_path):
    build_chain(db_session, COUNT)
    db_session.commit()
    kept = tmp_path / "last-checkpoint.json"
    runner = app.test_cli_runner()
    for _ in range(3):
        result = runner.invoke(args=["audit", "checkpoint", "--output", str(kept)])
        assert result.exit_code == 0, result.output
    assert _checkpoints(db_session) == 3


def test_a_kept_checkpoint_with_a_forged_signature_is_refused(
    app, request_ctx, db_session, tmp_path
):
    build_chain(db_session, COUNT)
    db_session.commit()
    kept = tmp_path / "last-checkpoint.json"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint", "--output", str(kept)]).exit_code == 0
    text = kept.read_text(encoding="utf-8")
    forged = re.sub(r'"seq": \d+', '"seq": 5', text)
    assert forged != text
    kept.write_text(forged, encoding="utf-8")
    result = runner.invoke(args=["audit", "checkpoint", "--output", str(kept)])
    assert result.exit_code == 1 and "no checkpoint signed" in result.output
