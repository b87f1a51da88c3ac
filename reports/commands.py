"""``homeward reports ctdc PATH``: the anonymised CTDC export (on the reports group)."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.config import current_settings
from core.db import current_db
from reports.services import export_ctdc


@click.command("ctdc")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Registered from.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Registered until.")
@with_appcontext
def ctdc_command(path: Path, start: datetime | None, end: datetime | None) -> None:
    """Write the anonymised case-level CSV in CTDC's format to PATH: every combination of
    its quasi-identifiers occurs at least k times (HOMEWARD_EXPORT_MIN_GROUP, 11)."""
    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    if first and last and first > last:
        click.echo("homeward: --from is after --to", err=True)
        sys.exit(2)
    settings = current_settings().reports
    with current_db().session_scope() as db:
        result = export_ctdc(db, None, path, settings, first, last)
    click.echo(f"rows written: {len(result.rows)}")
    click.echo(f"rows suppressed: {result.suppressed}")
    achieved = "none (no rows written)" if result.k is None else str(result.k)
    click.echo(f"k achieved: {achieved} (required {settings.export_min_group})")
