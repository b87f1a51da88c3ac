"""``homeward keys init | status | rotate | retire``: master key administration from the CLI.

``keys init`` runs without the app (there are no keys to start it with yet): ``core.cli``
hangs this group on the console script itself, so it is found without building the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core.config import current_settings
from core.crypto.errors import CryptoError
from core.crypto.keyring import EXTENSION_KEY, Crypto, next_version
from core.crypto.rotation import key_status, pending_rewrap, retire_version, rewrap_all
from core.db import current_db
from core.keys import (
    FileKeyProvider,
    KeyError_,
    KeyRing,
    dump_keyring,
    init_key_file,
    provider_for,
)
from core.signals import master_keys_changed

keys_cli = AppGroup("keys", help="Master keys: a new key file, status, rotation, retirement.")


def _crypto() -> Crypto:
    crypto: Crypto = current_app.extensions[EXTENSION_KEY]
    return crypto


def _save(ring: KeyRing, then: str) -> bool:
    """Persist new key material; False (after printing what to set) for the environment."""
    provider = provider_for(current_settings().KEY_FILE)
    if isinstance(provider, FileKeyProvider):
        provider.save(ring)
        return True
    click.echo("Key material comes from HOMEWARD_KEYS. Set it to the value below on every app")
    click.echo(f"process and restart them{then}:")
    click.echo(dump_keyring(ring))
    return False


def _announce(action: str, **details: object) -> None:
    with current_db().session_scope() as session:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        master_keys_changed.send(app, session=session, action=action, details=details)


@keys_cli.command("init", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def init(path: Path) -> None:
    """Create a production key file at PATH (mode 0600); refuses to overwrite one.

    Point HOMEWARD_KEY_FILE at it (or inject its contents as HOMEWARD_KEYS), and keep a
    sealed offline copy: losing the file loses every person's data.
    """
    try:
        ring = init_key_file(path)
    except (KeyError_, OSError) as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"production key file written to {path} (mode 0600), master key version "
        f"{ring.active} active"
    )
    click.echo("Now: set HOMEWARD_KEY_FILE to this path, and keep a sealed offline copy of the")
    click.echo("file (printed or on a removable medium in a safe): without it nobody's data")
    click.echo("can ever be read again. Never put it in a backup of the database.")


@keys_cli.command("status")
def status() -> None:
    """Print how many data keys each master key version wraps."""
    crypto = _crypto()
    with current_db().session_scope() as session:
        counts = key_status(session)
    click.echo(f"active master key version: {crypto.ring.active}")
    for version in sorted(crypto.ring.master_keys, key=lambda v: (len(v), v)):
        click.echo(f"  version {version:>4}: {counts.pop(version, 0)} data keys")
    for version, count in sorted(counts.items()):
        label = "destroyed (erased)" if version == "destroyed" else f"version {version} MISSING"
        click.echo(f"  {label}: {count} data keys")
    if crypto.ring.retired:
        click.echo(f"retired versions: {', '.join(sorted(crypto.ring.retired))}")


@keys_cli.command("rotate")
@click.option("--resume", is_flag=True, help="Only finish re-wrapping onto the active version.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def rotate(resume: bool, batch_size: int) -> None:
    """Make a new master key version active and re-wrap every data key under it."""
    crypto = _crypto()
    if not resume:
        ring = next_version(crypto.ring)
        if not _save(ring, ", then run `homeward keys rotate --resume`"):
            return
        crypto.replace_ring(ring)
        _announce("rotated", active=ring.active)
        click.echo(f"master key version {ring.active} is now active")
    with current_db().session_scope() as session:
        total = pending_rewrap(session, crypto)
    try:
        with click.progressbar(length=total, label="re-wrapping data keys") as bar:
            done = rewrap_all(current_db().session_scope, crypto, batch_size, bar.update)
    except CryptoError as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(1)
    _announce("rewrapped", active=crypto.ring.active, data_keys=done)
    click.echo(f"{done} data keys re-wrapped under master key version {crypto.ring.active}")


@keys_cli.command("retire")
@click.argument("version")
def retire(version: str) -> None:
    """Remove master key VERSION from the key material once no data key uses it."""
    crypto = _crypto()
    try:
        with current_db().session_scope() as session:
            ring = retire_version(session, crypto.ring, version)
    except CryptoError as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(1)
    if not _save(ring, ""):
        return
    crypto.replace_ring(ring)
    _announce("retired", version=version)
    click.echo(f"master key version {version} retired and removed from the key material")
