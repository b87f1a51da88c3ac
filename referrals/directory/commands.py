"""``homeward directory export PATH`` and ``homeward directory import PATH [--dry-run]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from audit import record
from core.db import current_db
from referrals.directory import hsds


@click.command("export")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_command(path: Path) -> None:
    """Write the directory to PATH as a zip of HSDS CSV files."""
    with current_db().session_scope() as db:
        data = hsds.export_zip(db, None)
    path.write_bytes(data)
    click.echo(f"directory exported to {path}")


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the files; import nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import a zip of HSDS CSV files; nothing is imported unless every row is valid."""
    with current_db().session_scope() as db:
        report = hsds.import_zip(db, None, path.read_bytes(), dry_run=dry_run)
        if not report.ok:
            record(
                db,
                "directory.imported",
                object_type="directory",
                outcome="failed",
                details={"errors": len(report.errors)},
            )
    if not report.ok:
        for error in report.errors:
            click.echo(error, err=True)
        click.echo(f"homeward: {len(report.errors)} problem(s); nothing imported", err=True)
        sys.exit(1)
    counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
    verb = "valid, not imported (dry run)" if dry_run else "imported"
    click.echo(f"{verb}: {counts}")
