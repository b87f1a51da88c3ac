"""Second reading of 440b02a (a figures page's scans read side by side in one snapshot,
:mod:`reports.indicators.prefetch`): pages computed at the same time share the engine's
pool (5 connections and 5 more of overflow), and each holds its own connection while it
takes four more, one at a time. Pages that each hold some and wait for the rest wait on
one another until the pool gives up (30 s in production), and the page fails: a page
must never fail, nor wait, because others are being computed at the same moment."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from core.db import Database
from reports.indicators import api, prefetch
from tests.reports.test_prefetch import PERIOD, SETTINGS, committed  # noqa: F401

#: Pages computed at the same moment (a threaded server: ``flask run``, gunicorn gthread).
PAGES = 3
#: The pool's wait for a connection, shortened from 30 s so the test fails fast.
POOL_WAIT = 5


def test_first_pages_computed_at_once_do_not_wait_on_each_other_for_connections(
    committed: Flask,  # noqa: F811
    monkeypatch: Any,
) -> None:
    database: Database = committed.extensions["homeward_db"]
    assert database.engine is not None
    monkeypatch.setattr(database.engine.pool, "_timeout", POOL_WAIT)
    # Every page has taken its own connection and two of its four more when the others ask
    # for theirs (an order that page loads arriving together can take by themselves; three
    # or four pages started together, without this, also failed here). A page that finds
    # the others did not come (a fix reads them one after the other) goes on after 10 s.
    together = threading.Barrier(PAGES, timeout=10)
    taken = threading.local()
    real = prefetch.Session

    def session(*args: Any, **kwargs: Any) -> Session:
        found = real(*args, **kwargs)
        taken.n = getattr(taken, "n", 0) + 1
        if taken.n == 2:
            with contextlib.suppress(threading.BrokenBarrierError):
                together.wait()
        return found

    monkeypatch.setattr(prefetch, "Session", session)
    failures: list[str] = []

    def page() -> None:
        try:
            with committed.test_request_context("/"), database.session_scope() as db:
                api.compute(db, PERIOD, SETTINGS, 30)
        except Exception as exc:  # a page that fails is the finding
            failures.append(type(exc).__name__)

    threads = [threading.Thread(target=page) for _ in range(PAGES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == [], f"pages failed waiting for connections: {failures}"
