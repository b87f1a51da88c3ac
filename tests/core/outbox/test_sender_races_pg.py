"""Parallel senders on PostgreSQL: every message goes out exactly once (claims take rows
``FOR UPDATE SKIP LOCKED``, so two senders never hold the same one)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import func, select

from core import migrate
from core.app import create_app
from core.outbox import sender, services
from core.outbox.models import OutboxMessage
from tests import databases
from tests.conftest import _free_port, _Mailbox, make_settings

pytestmark = pytest.mark.postgres_only
SENDERS = 4
MESSAGES = 40


@pytest.fixture(scope="module")
def race_app(backend, key_file, tmp_path_factory) -> Iterator[Flask]:
    if backend != "postgresql":
        pytest.skip("parallel senders need PostgreSQL")
    url = databases.fresh_database(backend, tmp_path_factory.mktemp("race"), "outboxrace")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


def test_parallel_senders_send_every_message_exactly_once(race_app, hello_template):
    mailbox = _Mailbox(_free_port())
    mailbox.start()
    settings = replace(
        race_app.config["HOMEWARD_SETTINGS"], SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}"
    )
    database = race_app.extensions["homeward_db"]
    try:
        with database.session_scope() as db:
            for n in range(MESSAGES):
                services.enqueue(db, hello_template, {"n": n}, address=f"desk{n}@agency.example")
        start = threading.Barrier(SENDERS)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with race_app.app_context():
                    start.wait()
                    sender.send_due(database, settings)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        ids = Counter(str(m["Message-ID"]) for m in mailbox.messages)
        assert len(ids) == MESSAGES
        assert set(ids.values()) == {1}
        with database.session_scope() as db:
            states = dict(
                db.execute(
                    select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                ).all()
            )
            assert states == {"sent": MESSAGES}
            assert db.scalar(select(func.max(OutboxMessage.attempts))) == 1
    finally:
        mailbox.stop()
