"""verify compares its walk's end with ``audit_head`` (PostgreSQL), so the newest events,
dropped or deleted after the last checkpoint, are reported and never signed over."""

from __future__ import annotations

import pytest
from flask import Flask

from audit.verify import verify_chain
from audit.verify_reference import check_recorded_head
from tests.audit.test_partitions import NOW, _cli, _db, _sql, _write, pg  # noqa: F401
from tests.audit.test_review_partitions import _owner


def test_a_walk_ending_at_the_recorded_seq_with_another_hash_is_truncated():
    problem = check_recorded_head(5, "a" * 64, (5, "b" * 64))
    assert problem is not None and (problem.seq, problem.kind) == (5, "truncated")
    assert check_recorded_head(5, "a" * 64, (5, "a" * 64)) is None
    assert check_recorded_head(6, "c" * 64, (5, "a" * 64)) is None  # appended meanwhile
    assert check_recorded_head(0, "a" * 64, None) is None  # SQLite: nothing recorded


@pytest.mark.postgres_only
def test_newest_events_deleted_after_the_checkpoint_are_truncated_and_never_signed(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 2)
    assert _cli(application, "checkpoint").exit_code == 0  # signs event 2, records event 3
    _write(application, NOW, 3)  # 4-6
    _owner(application, "DELETE FROM audit_event WHERE seq > 4")
    with application.app_context(), _db(application).session_scope() as session:
        report = verify_chain(session)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (5, "truncated")
    assert "audit_head records event 6" in report.problem.message
    done = _cli(application, "checkpoint")
    assert done.exit_code == 1
    assert "no checkpoint signed" in done.output


@pytest.mark.postgres_only
def test_an_intact_chain_reaches_the_recorded_head(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 3)
    with application.app_context(), _db(application).session_scope() as session:
        assert verify_chain(session).intact
    assert _cli(application, "checkpoint").exit_code == 0


def _forge_checkpoint(application: Flask, seq: int) -> None:
    key = _sql(application, "SELECT public_key FROM audit_checkpoint LIMIT 1")[0][0]
    _sql(
        application,
        "INSERT INTO audit_checkpoint (seq, head_hash, created_at, signature, public_key) "
        "VALUES (:seq, repeat('0', 64), now(), repeat('0', 128), :key)",
        seq=seq,
        key=key,
    )


@pytest.mark.postgres_only
def test_a_forged_checkpoint_row_is_skipped_by_the_job_and_reported_by_both(pg):  # noqa: F811
    application, _ = pg
    _write(application, NOW, 2)
    assert _cli(application, "checkpoint").exit_code == 0
    _forge_checkpoint(application, 1_000_000)
    _forge_checkpoint(application, 2)
    _write(application, NOW, 2)
    done = _cli(application, "checkpoint")
    assert done.exit_code == 0, done.output
    assert "2 stored checkpoint(s) carry this key's public key but no valid signature" in (
        done.output
    )
    assert "events 1000000, 2)" in done.output
    made = _sql(application, "SELECT max(seq) FROM audit_checkpoint WHERE seq < 1000000")
    assert made[0][0] > 2  # signed past the forged rows, from the valid checkpoint at 3
    verified = _cli(application, "verify", "--workers", "1", "--no-record")
    assert verified.exit_code == 1
    assert "has no valid signature by a trusted key (and 1 more" in verified.output


def _backup_warnings(application: Flask, caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the audit's part of a backup (its checkpoint) logs as warnings."""
    from audit.backup import on_backup_preparing

    keys = application.extensions["homeward_keys"]
    with (
        application.app_context(),
        _db(application).session_scope() as session,
        caplog.at_level("WARNING", logger="audit.backup"),
    ):
        on_backup_preparing(None, session=session, keys=keys)
    return [r.getMessage() for r in caplog.records if r.name == "audit.backup"]


@pytest.mark.postgres_only
def test_retention_and_backup_skip_forged_checkpoint_rows_and_say_so(pg, caplog):  # noqa: F811
    """Retention and the backup's checkpoint start from the newest valid checkpoint, as the
    job does, and they too name the forged rows instead of passing over them in silence."""
    application, _ = pg
    _write(application, NOW, 2)
    assert _cli(application, "checkpoint").exit_code == 0
    _forge_checkpoint(application, 1_000_000)
    _write(application, NOW, 1)
    done = _cli(application, "retention", "run")
    assert done.exit_code == 0, done.output
    assert "1 stored checkpoint(s) carry this key's public key but no valid signature" in (
        done.output
    )
    assert "events 1000000)" in done.output
    warned = _backup_warnings(application, caplog)
    assert warned == [
        "1 stored audit checkpoint(s) carry this key's public key but no valid signature: "
        "forged rows, skipped; run `homeward audit checkpoint` to see which"
    ]


@pytest.mark.postgres_only
def test_on_a_broken_chain_retention_and_backup_still_name_the_forged_rows(pg, caplog):  # noqa: F811
    """The forged rows are skipped before the walk, so a break found after them does not
    excuse the silence: retention names them (and drops nothing), and so must the backup."""
    application, _ = pg
    _write(application, NOW, 2)
    assert _cli(application, "checkpoint").exit_code == 0  # signs event 2, records event 3
    _forge_checkpoint(application, 1_000_000)
    _write(application, NOW, 3)  # 4-6
    _owner(application, "DELETE FROM audit_event WHERE seq > 4")  # truncated: a break
    warned = _backup_warnings(application, caplog)
    assert "the audit chain does not verify: backing up without a new checkpoint" in warned
    assert any("1 stored audit checkpoint(s)" in m and "forged rows" in m for m in warned), warned
    done = _cli(application, "retention", "run")
    assert done.exit_code == 1, done.output
    assert "nothing dropped: the chain does not verify" in done.output
    assert "1 stored checkpoint(s) carry this key's public key but no valid signature" in (
        done.output
    )
