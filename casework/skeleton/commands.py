"""``homeward cases rebuild-skeletons``: build the skeletons of cases that have none."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from audit import record
from casework.skeleton.services import fill_missing
from core.db import current_db


@click.command("rebuild-skeletons")
@click.option("--all", "everything", is_flag=True, help="Rebuild every skeleton, not only missing.")
@with_appcontext
def rebuild_skeletons_command(everything: bool) -> None:
    """Build the statistical skeleton of every case that has none (cases registered before
    skeletons were kept current); with --all, rebuild them all. Safe to run again."""
    with current_db().session_scope() as db:
        count = fill_missing(db, everything=everything)
        record(db, "skeleton.rebuilt", details={"cases": count, "all": everything})
        click.echo(f"built the skeletons of {count} case(s)")
