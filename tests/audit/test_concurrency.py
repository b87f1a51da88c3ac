"""Concurrent writers never fork or break the chain (advisory lock / SQLite's one writer)."""

from __future__ import annotations

import threading
import uuid

import pytest

from audit.services import record
from audit.verify import verify_chain
from core import migrate
from core.app import create_app
from core.db import Database
from tests import databases
from tests.conftest import make_settings

THREADS = 8
EVENTS_PER_THREAD = 500


@pytest.fixture
def scratch_app(backend, key_file, tmp_path):
    url = databases.fresh_database(backend, tmp_path, "concurrency")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    yield application
    application.extensions["homeward_db"].engine.dispose()
    if backend == "postgresql":
        databases.drop_postgres(url)


def _writer(app, thread_no: int, errors: list[BaseException]) -> None:
    database: Database = app.extensions["homeward_db"]
    try:
        with app.app_context():
            for i in range(EVENTS_PER_THREAD):
                with database.session_scope() as session:
                    record(
                        session,
                        "case.viewed",
                        object_type="case",
                        object_id=uuid.uuid4(),
                        details={"thread": thread_no, "i": i},
                    )
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)


def test_eight_writers_leave_one_unbroken_chain(scratch_app, backend):
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_writer, args=(scratch_app, n, errors)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    database: Database = scratch_app.extensions["homeward_db"]
    with scratch_app.app_context(), database.session_scope() as session:
        report = verify_chain(session, end_read_transactions=True)
    assert report.intact, report.problem
    assert report.events_checked == report.head_seq == THREADS * EVENTS_PER_THREAD
