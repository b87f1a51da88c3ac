"""``homeward referrals …``: operator commands of referrals."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.db import current_db
from referrals import services


@click.command("expire")
@with_appcontext
def expire_command() -> None:
    """Expire every sent referral whose respond-by deadline has passed (run it hourly)."""
    with current_db().session_scope() as db:
        count = services.expire_due(db)
    click.echo(f"expired {count} referral(s)")
