"""``homeward outbox send`` as the systemd service runs it: a real process that keeps sending
what is queued, polling, until SIGTERM ends it cleanly; and the bounds of its settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from core import migrate
from core.config import PROJECT_ROOT, ConfigError, Settings
from core.db import Database
from core.outbox import services
from tests import databases
from tests.conftest import _free_port, _Mailbox


def _queue(database: Database, n: int) -> None:
    with database.session_scope() as db:
        services.enqueue(
            db,
            "referrals.notification",
            {
                "kind": "referral_sent",
                "referral_id": uuid.uuid4(),
                "case_id": uuid.uuid4(),
                "reference": f"REF-2026-00000{n}",
            },
            address=f"desk{n}@agency.example",
            locale="ru",
        )


def _wait_for(mailbox: _Mailbox, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(mailbox.messages) < count:
        assert process.poll() is None, "the sender exited"
        assert time.monotonic() < deadline, "the sender sent nothing within 60 s"
        time.sleep(0.2)


def test_the_sender_service_keeps_sending_until_sigterm(tmp_path: Path, key_file: Path):
    url = databases.fresh_sqlite(tmp_path, "sender")
    migrate.upgrade(url)
    from sqlalchemy.orm import sessionmaker

    from core.db import make_engine

    database = Database()
    database.engine = make_engine(url)
    database.factory = sessionmaker(bind=database.engine, expire_on_commit=False)
    mailbox = _Mailbox(_free_port())
    mailbox.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    env.update(
        HOMEWARD_ENV="test",
        HOMEWARD_DATABASE_URL=url,
        HOMEWARD_SECRET_KEY="sender-test-secret-" + "x" * 32,
        HOMEWARD_KEY_FILE=str(key_file),
        HOMEWARD_SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}",
        HOMEWARD_OUTBOX_POLL_SECONDS="1",
    )
    _queue(database, 1)
    binary = Path(sys.executable).parent / "homeward"
    process = subprocess.Popen(
        [str(binary), "outbox", "send"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(mailbox, 1, process)
        _queue(database, 2)  # queued while it runs: the next poll sends it
        _wait_for(mailbox, 2, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        mailbox.stop()
        database.engine.dispose()
    assert [str(m["To"]) for m in mailbox.messages] == [
        "desk1@agency.example",
        "desk2@agency.example",
    ]
    assert all(m["Content-Language"] == "ru" for m in mailbox.messages)
    assert "REF-2026-000001" in str(mailbox.messages[0]["Subject"])


def test_the_sender_service_survives_a_database_failure(tmp_path: Path, key_file: Path):
    """A round that fails on the database (here the table is gone for a while, as a database
    restart fails every query) must not end the service: mail queued after it is back goes."""
    from sqlalchemy import text

    url = databases.fresh_sqlite(tmp_path, "sender")
    migrate.upgrade(url)
    from sqlalchemy.orm import sessionmaker

    from core.db import make_engine

    database = Database()
    database.engine = make_engine(url)
    database.factory = sessionmaker(bind=database.engine, expire_on_commit=False)
    mailbox = _Mailbox(_free_port())
    mailbox.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    env.update(
        HOMEWARD_ENV="test",
        HOMEWARD_DATABASE_URL=url,
        HOMEWARD_SECRET_KEY="sender-test-secret-" + "x" * 32,
        HOMEWARD_KEY_FILE=str(key_file),
        HOMEWARD_SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}",
        HOMEWARD_OUTBOX_POLL_SECONDS="1",
    )
    _queue(database, 1)
    binary = Path(sys.executable).parent / "homeward"
    process = subprocess.Popen(
        [str(binary), "outbox", "send"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(mailbox, 1, process)
        with database.session_scope() as db:
            db.execute(text("ALTER TABLE outbox_message RENAME TO outbox_message_away"))
        time.sleep(3)  # a few polls that fail
        assert process.poll() is None, "the sender ended when the database failed"
        with database.session_scope() as db:
            db.execute(text("ALTER TABLE outbox_message_away RENAME TO outbox_message"))
        _queue(database, 2)
        _wait_for(mailbox, 2, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        mailbox.stop()
        database.engine.dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OUTBOX_MAX_ATTEMPTS", "0"),
        ("OUTBOX_MAX_ATTEMPTS", "51"),
        ("OUTBOX_BACKOFF_SECONDS", "0"),
        ("OUTBOX_BACKOFF_MAX_MINUTES", "1441"),
        ("OUTBOX_LEASE_SECONDS", "10"),
        ("OUTBOX_POLL_SECONDS", "301"),
    ],
)
def test_outbox_settings_out_of_bounds_are_refused(name: str, value: str):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(environ={f"HOMEWARD_{name}": value}).validate()
