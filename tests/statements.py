"""Counting the SQL statements a piece of code runs on the app's engine (a profiler's first
question: how many round trips does this page make?)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event


class Statements:
    """What ran inside :func:`counting`: ``count`` and the statements' text in order."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @property
    def count(self) -> int:
        return len(self.seen)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement)

    def __repr__(self) -> str:  # shown by pytest when a bound fails
        listing = "\n".join(f"  {s.splitlines()[0][:160]}" for s in self.seen)
        return f"<{self.count} statements>\n{listing}"


@contextmanager
def counting(app: Flask) -> Iterator[Statements]:
    """Count every statement the app's engine sends (``before_cursor_execute``) in the block."""
    engine = app.extensions["homeward_db"].engine
    found = Statements()
    event.listen(engine, "before_cursor_execute", found._record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", found._record)


def page_statements(app: Flask, client: FlaskClient, path: str) -> Statements:
    """The statements of one GET of ``path`` (which must answer 200)."""
    with counting(app) as found:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return found
