"""``homeward places import FILE``: all or nothing, every problem as ``line N: problem``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.db import current_db
from core.places import importing, services


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import administrative areas (country > province > district, with P-codes) from a CSV;
    nothing is imported unless every row is valid. Re-importing updates names and adds
    places; no place is deleted."""
    if path.stat().st_size > importing.MAX_BYTES:
        click.echo(f"homeward: {path} is larger than {importing.MAX_BYTES} bytes", err=True)
        sys.exit(1)
    with current_db().session_scope() as db:
        report = services.import_places(db, path.read_bytes(), source="command")
    if not report.ok:
        for problem in report.problems:
            click.echo(str(problem), err=True)  # no request: the default locale
        if report.more_problems:
            click.echo(f"... and {report.more_problems} more", err=True)
        total = len(report.problems) + report.more_problems
        click.echo(f"homeward: {total} problem(s); nothing imported", err=True)
        sys.exit(1)
    click.echo(f"places imported: {report.summary()}")
