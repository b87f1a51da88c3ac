"""``homeward backup create | verify | restore`` (registered by :mod:`core.commands`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import psycopg
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from core.backup.dumps import BackupError
from core.backup.services import create_backup, restore_backup, verify_backup
from core.config import current_settings
from core.erasure_journal import JournalError
from core.keys import KeyRing

backup_cli = AppGroup("backup", help="Backups: create an archive, verify it, restore it.")

ARCHIVE = click.Path(dir_okay=False, path_type=Path)


def _keys() -> KeyRing:
    ring: KeyRing = current_app.extensions["homeward_keys"]
    return ring


def _fail(exc: Exception) -> None:
    if isinstance(exc, SQLAlchemyError | psycopg.Error):
        # Their text may carry SQL parameters: name the kind of failure only.
        click.echo(f"homeward: the database failed ({type(exc).__name__}); see its log", err=True)
    else:
        click.echo(f"homeward: {exc}", err=True)
    sys.exit(1)


DATABASE_ERRORS = (SQLAlchemyError, psycopg.Error)


@backup_cli.command("create")
@click.argument("path", type=ARCHIVE)
def create(path: Path) -> None:
    """Write a backup archive to PATH: the database dump and its manifest, never the keys."""
    settings = current_settings()
    if not settings.ERASURE_JOURNAL:
        click.echo(
            "WARNING: HOMEWARD_ERASURE_JOURNAL is not set: restoring this backup cannot erase "
            "again the people erased after it was taken.",
            err=True,
        )
    try:
        manifest = create_backup(settings.DATABASE_URL, path, _keys(), settings.ERASURE_JOURNAL)
    except (BackupError, JournalError, OSError, *DATABASE_ERRORS) as exc:
        _fail(exc)
        return
    audit = manifest.get("audit") or {}
    click.echo(
        f"backup written to {path}: {sum(manifest['counts'].values()):,} rows in "
        f"{len(manifest['counts'])} tables, schema {', '.join(manifest['schema_revision'])}, "
        f"audit head event {audit.get('head_seq', 0)}"
    )
    click.echo("The master keys are not in it: keep the key file's sealed copy apart.")


@backup_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scratch", help="Restore into this empty database instead of a temporary one.")
@click.option(
    "--sample",
    default=5,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many people to decrypt with the current keys.",
)
def verify(path: Path, scratch: str | None, sample: int) -> None:
    """Restore PATH into a scratch database and check it; exit 1 when any check fails."""
    settings = current_settings()
    checks = verify_backup(path, settings.DATABASE_URL, _keys(), scratch, sample)
    for check in checks:
        click.echo(f"{'ok    ' if check.ok else 'FAILED'} {check.name}: {check.detail}")
    if not all(check.ok for check in checks):
        click.echo("homeward: the backup does NOT verify", err=True)
        sys.exit(1)
    click.echo("the backup verifies")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", "into", required=True, help="URL of the empty database to restore into.")
def restore(path: Path, into: str) -> None:
    """Restore PATH into an empty database, upgrade it, replay the erasure journal."""
    settings = current_settings()
    try:
        report = restore_backup(path, into, _keys(), settings.ERASURE_JOURNAL)
    except (BackupError, JournalError, OSError, *DATABASE_ERRORS) as exc:
        _fail(exc)
        return
    click.echo(f"restored the backup of {report.manifest['created_at']}; schema at head")
    click.echo(f"erasures replayed from the journal: {len(report.replayed)}")
