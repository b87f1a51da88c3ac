"""``homeward audit checkpoint`` and ``homeward audit verify`` (on the audit blueprint's group)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from audit import actions
from audit.checkpoints import CheckpointError, create_checkpoint, parse_checkpoint, public_key_hex
from audit.services import record
from audit.verify import BATCH_SIZE, VerifyReport, stored_checkpoints, verify_chain
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
    help="Write the signed checkpoint to FILE (keep a copy off this host); stdout by default.",
)
@with_appcontext
def checkpoint(output: Path | None) -> None:
    """Sign the chain's head with the checkpoint key, store it, and print or write it."""
    with current_db().session_scope() as session:
        made = create_checkpoint(session, _keys().checkpoint_signing_key)
    text = made.to_json() + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"checkpoint at event {made.seq} written to {output}", err=True)


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
    "--record/--no-record",
    "record_result",
    default=True,
    show_default=True,
    help="Append the outcome to the log, for the auditors' chain status page.",
)
@with_appcontext
def verify(
    checkpoint_file: Path | None, trust_key: tuple[str, ...], batch_size: int, record_result: bool
) -> None:
    """Re-compute the hash chain; exit 0 only when it is intact."""
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
            progress=lambda n: click.echo(f"  {n:,} events checked …", err=True),
        )
    _print_report(report)
    if record_result:
        with database.session_scope() as session:
            record_verification(session, report)
    sys.exit(0 if report.intact else 1)


def _print_report(report: VerifyReport) -> None:
    click.echo(
        f"checked {report.events_checked:,} events and {report.checkpoints_checked} "
        f"checkpoint(s) in {report.seconds:.2f} s ({report.rate:,.0f} events/s)"
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
