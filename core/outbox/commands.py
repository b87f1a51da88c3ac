"""``homeward outbox send`` (the sender service; ``--once`` for timers and tests) and
``homeward outbox status`` (counts per state)."""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

import click
from flask.cli import with_appcontext

from core.config import current_settings
from core.db import current_db
from core.outbox import queries, sender

log = logging.getLogger("homeward.outbox")


class _Stop:
    """Set by SIGTERM/SIGINT: the loop finishes the message in hand, then ends."""

    requested = False

    def __call__(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True


@click.command("send")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@with_appcontext
def send(once: bool) -> None:
    """Send the outbox's due e-mail; without --once, keep doing so (a systemd service)."""
    settings = current_settings()
    database = current_db()
    if once:
        counts = sender.send_due(database, settings)
        click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing due")
        return
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stop.requested:
        try:
            sender.send_due(database, settings, limit=100)
        except Exception as exc:  # a database restart must not end the service; retry next poll
            log.error("outbox send round failed (%s); trying again", type(exc).__name__)
        for _ in range(settings.outbox.poll_seconds * 10):
            if stop.requested:
                break
            time.sleep(0.1)


@click.command("status")
@with_appcontext
def status() -> None:
    """Print how many e-mails are in each state (pending, sent, dead, discarded)."""
    with current_db().session_scope() as db:
        for state, count in queries.counts(db).items():
            click.echo(f"{state}: {count}")
