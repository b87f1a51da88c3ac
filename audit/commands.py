"""``homeward audit checkpoint`` and ``homeward audit verify`` (on the audit blueprint's group)."""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from audit import actions
from audit.checkpoints import Checkpoint, CheckpointError, parse_checkpoint, public_key_hex
from audit.services import record
from audit.verify import BATCH_SIZE, VerifyReport, stored_checkpoints, verify_chain
from audit.verify_signing import ChainBrokenError, verified_checkpoint
from core.clock import utcnow
from core.config import current_settings
from core.db import current_db
from core.keys import KeyRing


def _keys() -> KeyRing:
    ring: KeyRing = current_app.extensions["homeward_keys"]
    return ring


@click.command("checkpoint")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the signed checkpoint to FILE (keep a copy off this host); stdout by default. "
    "A checkpoint already in FILE anchors this run: the chain must still match it, even if "
    "the database's checkpoints were deleted.",
)
@with_appcontext
def checkpoint(output: Path | None) -> None:
    """Verify the events since the last checkpoint, then sign the head, store and print it.

    Cheap enough for a per-minute cron job: it walks only what was appended since the newest
    checkpoint of this key (the first one walks the whole chain). Exit 1, and nothing is
    signed, when those events do not verify.
    """
    database = current_db()
    previous = _previous_checkpoint(output)
    try:
        with database.session_scope() as session:
            made, report = verified_checkpoint(
                session, _keys().checkpoint_signing_key, previous=previous
            )
    except ChainBrokenError as exc:
        _print_report(exc.report)
        _warn_forged(exc.report)
        click.echo("homeward: no checkpoint signed: the chain does not verify", err=True)
        with database.session_scope() as session:
            record_verification(session, exc.report, from_seq=exc.from_seq)
        sys.exit(1)
    click.echo(f"verified {report.events_checked:,} new events in {report.seconds:.3f} s", err=True)
    _warn_forged(report)
    text = made.to_json() + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"checkpoint at event {made.seq} written to {output}", err=True)


def _warn_forged(report: VerifyReport) -> None:
    """Name the checkpoint rows under this key whose signature does not hold: the job skipped
    them (they must not stop it for good) but they are evidence of tampering."""
    if not report.forged_checkpoints:
        return
    seqs = ", ".join(str(seq) for seq in report.forged_checkpoints[:10])
    more = "…" if len(report.forged_checkpoints) > 10 else ""
    click.echo(
        f"WARNING: {len(report.forged_checkpoints)} stored checkpoint(s) carry this key's "
        f"public key but no valid signature (events {seqs}{more}): forged rows, skipped. "
        "Investigate who wrote them; `homeward audit verify` reports them until the owner "
        "removes them.",
        err=True,
    )


def _previous_checkpoint(output: Path | None) -> Checkpoint | None:
    """The checkpoint this job wrote last time to ``output``; exit 2 when it does not read."""
    if output is None or not output.exists():
        return None
    try:
        return parse_checkpoint(output.read_text(encoding="utf-8"))
    except (CheckpointError, OSError, UnicodeDecodeError) as exc:
        click.echo(
            f"homeward: {output} does not hold a checkpoint ({exc}); nothing signed. "
            "Check it was not tampered with, then move it aside.",
            err=True,
        )
        sys.exit(2)


@click.command("verify")
@click.option(
    "--from-checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check the chain against this checkpoint file (e.g. one kept off-host).",
)
@click.option(
    "--trust-key",
    multiple=True,
    help="Public key (hex) of an earlier checkpoint key whose checkpoints are still trusted.",
)
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(100))
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Processes checking contiguous chunks of the chain in parallel (default: the number "
    "of CPUs); 1 walks it in this process.",
)
@click.option(
    "--record/--no-record",
    "record_result",
    default=True,
    show_default=True,
    help="Append the outcome to the log, for the auditors' chain status page.",
)
@click.option(
    "--max-checkpoint-age",
    type=click.IntRange(1),
    default=None,
    help="Warn when the newest checkpoint is older than this many minutes "
    "(default: HOMEWARD_AUDIT_CHECKPOINT_MAX_AGE_MINUTES).",
)
@click.option(
    "--require-checkpoint",
    is_flag=True,
    help="Exit 3 when the chain is intact but has no checkpoint, or only one that is too old.",
)
@with_appcontext
def verify(
    checkpoint_file: Path | None,
    trust_key: tuple[str, ...],
    batch_size: int,
    workers: int | None,
    record_result: bool,
    max_checkpoint_age: int | None,
    require_checkpoint: bool,
) -> None:
    """Re-compute the hash chain; exit 0 only when it is intact.

    Says how old the newest checkpoint it used is, and warns when there is none or it is
    older than the limit: past the newest checkpoint the chain is unkeyed SHA-256, which
    anyone able to write to the database can recompute.
    """
    trusted = {public_key_hex(_keys().checkpoint_signing_key), *(k.lower() for k in trust_key)}
    database = current_db()
    with database.session_scope() as session:
        checkpoints = stored_checkpoints(session)
        session.rollback()
        if checkpoint_file is not None:
            try:
                checkpoints.append(parse_checkpoint(checkpoint_file.read_text(encoding="utf-8")))
            except CheckpointError as exc:
                click.echo(f"homeward: {exc}", err=True)
                sys.exit(2)
        report = verify_chain(
            session,
            checkpoints=checkpoints,
            trusted_keys=trusted,
            batch_size=batch_size,
            end_read_transactions=True,
            progress=_progress(time.perf_counter()),
            workers=workers or os.cpu_count() or 1,
        )
    _print_report(report)
    click.echo(f"peak memory {_peak_rss_mb():,.0f} MB", err=True)
    default_age = current_settings().audit.checkpoint_max_age_minutes
    limit = max_checkpoint_age or default_age
    fresh = _print_checkpoint_age(report, checkpoints, limit)
    if record_result:
        with database.session_scope() as session:
            record_verification(session, report)
    if not report.intact:
        sys.exit(1)
    sys.exit(3 if require_checkpoint and not fresh else 0)


def _progress(started: float) -> Callable[[int], None]:
    """Print how far the walk is and its throughput so far, as "N events/s"."""

    def say(checked: int) -> None:
        seconds = time.perf_counter() - started
        rate = checked / seconds if seconds > 0 else 0.0
        click.echo(f"  {checked:,} events checked ({rate:,.0f} events/s) …", err=True)

    return say


def _peak_rss_mb() -> float:
    """The larger of this process's peak resident memory and its largest worker's (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024  # Linux reports KiB


def _print_checkpoint_age(
    report: VerifyReport, checkpoints: list[Checkpoint], limit_minutes: int
) -> bool:
    """Say how old the newest checkpoint used is; warn when none or too old. True: fresh."""
    if not checkpoints:
        click.echo(
            "WARNING: no signed checkpoint: a chain rewritten from its first event would "
            "verify as intact. Run `homeward audit checkpoint` every minute (cron) and keep "
            "copies off this host."
        )
        return False
    # the one covering most events (a retention anchor, signed later, covers an older event)
    newest = max(checkpoints, key=lambda c: (c.seq, c.created_at))
    minutes = max(0, int((utcnow() - newest.created_at).total_seconds() // 60))
    when = newest.created_at.isoformat(timespec="seconds")
    after = max(0, report.head_seq - newest.seq)
    click.echo(
        f"newest checkpoint: event {newest.seq}, signed {when} ({_age(minutes)} ago); "
        f"{after:,} events after it"
    )
    if minutes <= limit_minutes:
        return True
    click.echo(
        f"WARNING: the newest checkpoint is {_age(minutes)} old (limit {limit_minutes} min): "
        f"the {after:,} events after event {newest.seq} are protected only by unkeyed "
        "hashes. Run `homeward audit checkpoint` every minute (cron)."
    )
    return False


def _age(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _print_report(report: VerifyReport) -> None:
    click.echo(
        f"checked {report.events_checked:,} events and {report.checkpoints_checked} "
        f"checkpoint(s) in {report.seconds:.2f} s ({report.rate:,.0f} events/s)"
    )
    if report.removed_through:
        click.echo(
            f"events up to {report.removed_through} were removed by retention; the chain is "
            f"checked from the signed checkpoint of event {report.removed_through}"
        )
    if report.problem is None:
        click.echo(f"chain intact: head is event {report.head_seq}, hash {report.head_hash}")
    else:
        problem = report.problem
        click.echo(f"chain BROKEN at event {problem.seq} ({problem.kind}): {problem.message}")


def record_verification(session: Session, report: VerifyReport, from_seq: int = 0) -> None:
    """Append the verifier's result to the chain (the chain status page reads it)."""
    details: dict[str, object] = {
        "events_checked": report.events_checked,
        "head_seq": report.head_seq,
        "checkpoints": report.checkpoints_checked,
        "from_seq": from_seq,
    }
    if report.problem is not None:
        details.update(problem_kind=report.problem.kind, problem_seq=report.problem.seq)
    record(
        session,
        actions.AUDIT_VERIFIED,
        object_type="audit_chain",
        outcome="ok" if report.intact else "failed",
        details=details,
    )
