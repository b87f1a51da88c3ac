"""``homeward retention run [--dry-run]``: erase people past the retention period."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from casework.subject_rights.retention import run_retention
from core.config import current_settings
from core.db import current_db


@click.command("run")
@click.option("--dry-run", is_flag=True, help="List who would be erased; change nothing.")
@with_appcontext
def retention_run_command(dry_run: bool) -> None:
    """Erase people whose cases were all closed more than HOMEWARD_RETENTION_YEARS ago."""
    years = current_settings().casework.retention_years
    with current_db().session_scope() as db:
        report = run_retention(db, years, dry_run=dry_run)
        if dry_run:
            db.rollback()
    verb = "would erase" if dry_run else "erased"
    click.echo(
        f"retention ({years} years, closed before {report.cutoff.date().isoformat()}): "
        f"{verb} {report.people} person(s), {len(report.case_numbers)} case(s)"
    )
    for number in report.case_numbers:
        click.echo(f"  {number}")
