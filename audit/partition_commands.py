"""``homeward audit partitions`` and ``homeward audit retention run`` (PostgreSQL, owner role).

Both change the schema (create or drop partitions), so they run as ``homeward_owner``, the
role that runs ``homeward db upgrade``; the application's role may not (docs/deployment.md).
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from audit.commands import _keys, _print_report, _warn_forged, record_verification
from audit.partitions import (
    LOCK_NOT_AVAILABLE,
    MONTHS_AHEAD,
    PartitionBusyError,
    create_ahead,
    is_partitioned,
)
from audit.retention import (
    ClockSkewError,
    Plan,
    RetentionRaceError,
    database_now,
    head_seq,
    plan,
    run,
)
from audit.verify_signing import ChainBrokenError, verified_checkpoint
from core.clock import utcnow
from core.config import current_settings
from core.db import current_db


def _require_partitions() -> None:
    with current_db().session_scope() as session:
        partitioned = is_partitioned(session)
    if not partitioned:
        click.echo("audit_event is not partitioned (SQLite, or not migrated): nothing to do")
        sys.exit(0)


@click.command("partitions")
@click.option("--months", type=click.IntRange(0, 120), default=MONTHS_AHEAD, show_default=True)
@with_appcontext
def partitions(months: int) -> None:
    """Make the audit log's partitions for this month and the next MONTHS (idempotent).

    Run monthly as the owner role. Exit 1 when a month's events already sit in the default
    partition (no partition is made for that month; the others are)."""
    _require_partitions()
    try:
        with current_db().session_scope() as session:
            done = create_ahead(session, utcnow().date(), months)
    except PartitionBusyError as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(1)
    for label in done.created:
        click.echo(f"created the partition of {label}")
    if done.present:
        click.echo(f"already present: {', '.join(done.present)}")
    for label in done.refused:
        click.echo(
            f"REFUSED {label}: its events are in audit_event_default already; they stay "
            "there (retention never drops the default partition)",
            err=True,
        )
    sys.exit(1 if done.refused else 0)


@click.group("retention")
def retention() -> None:
    """Drop whole months of audit events older than HOMEWARD_AUDIT_RETENTION_YEARS."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be dropped; change nothing.")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    """Verify and sign the chain, then drop the partitions of months past the retention period.

    Run as the owner role. Event N, the last one dropped, is signed as a retention anchor first, and
    the drop is recorded in the chain, so `homeward audit verify` checks from there on."""
    _require_partitions()
    years = current_settings().audit.retention_years
    database = current_db()
    try:
        with database.session_scope() as session:
            now = database_now(session)  # before anything is signed with a wrong clock
            if dry_run:
                _say(plan(session, years, now, head_seq(session)), dry_run=True)
                session.rollback()
                return
        _run(years)
    except (ClockSkewError, RetentionRaceError) as exc:
        click.echo(f"homeward: nothing dropped: {exc}", err=True)
        sys.exit(1)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        click.echo(
            "homeward: nothing dropped: audit_event stayed locked by another session for "
            "5 s; run it again later",
            err=True,
        )
        sys.exit(1)


def _run(years: int) -> None:
    """Verify and sign (the checkpoint's seq bounds what may go), then drop."""
    database = current_db()
    seed = _keys().checkpoint_signing_key
    try:
        with database.session_scope() as session:
            checkpoint, report = verified_checkpoint(session, seed)
    except ChainBrokenError as exc:
        _print_report(exc.report)
        _warn_forged(exc.report)
        click.echo("homeward: nothing dropped: the chain does not verify", err=True)
        with database.session_scope() as session:
            record_verification(session, exc.report, from_seq=exc.from_seq)
        sys.exit(1)
    _warn_forged(report)  # skipped, as the checkpoint job skips them, and named
    with database.session_scope() as session:
        _say(run(session, seed, years, checkpoint.seq), dry_run=False)


def _say(result: Plan, *, dry_run: bool) -> None:
    verb = "would drop" if dry_run else "dropped"
    click.echo(f"retention cutoff: {result.cutoff.isoformat(timespec='seconds')}")
    for month in result.drop:
        label = month.partition.month.strftime("%Y-%m")
        click.echo(f"{verb} {month.partition.name} ({label}, {month.events:,} events)")
    for month in result.held_back:
        click.echo(
            f"kept {month.partition.name}: dropping it would not remove exactly the start "
            "of the chain up to a signed checkpoint"
        )
    for month in result.too_recent:
        click.echo(
            f"kept {month.partition.name}: only {month.later_months} later months hold events; "
            f"a month is dropped only once {result.months_needed} later months do "
            "(HOMEWARD_AUDIT_RETENTION_YEARS x 12), so a clock running fast cannot make "
            "recent events look old"
        )
    if result.drop and result.events:
        click.echo(f"events up to {result.through_seq} {verb.split()[-1]}")
    if not result.drop:
        click.echo("nothing to drop")
