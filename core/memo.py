"""Reads kept for the rest of a request, dropped at the request's first write.

A page asks some questions in several places: the case page's next step and its plan panel
both read the plan, its screening panel and the page itself the reflection periods, its
banner and its safety panel the flags. :func:`remembered` answers a question this request
has already asked from the first answer, until the database is written through any session
of this process in this request (a flush with changes, an INSERT, UPDATE or DELETE, any
statement that is not a SELECT) or a session rolls back: every kept answer is then dropped,
so nothing read before a write is shown after it (the statements are watched on the
engine, so a write through a bare connection counts too). Outside a request nothing is kept.

Keys name the question fully: the function and every argument its answer depends on (the
case, and the actor when the answer depends on who asks).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, g, has_request_context
from sqlalchemy import Select, event
from sqlalchemy.orm import Session

from core.db import listen_on_sessions

T = TypeVar("T")
_KEY = "_homeward_memo"


def remembered(db: Session, key: Hashable, read: Callable[[], T]) -> T:
    """``read()`` (a query through ``db``), or what it answered earlier in this request for
    ``key`` on ``db`` (see above). While ``db`` holds changes not yet flushed, ``read()``
    runs (its query sees them) and nothing is kept."""
    if not has_request_context():
        return read()
    if db.new or db.dirty or db.deleted:
        forget()
        return read()
    kept: dict[Hashable, Any] = g.setdefault(_KEY, {})
    full_key = (db, key)  # the session itself: kept alive, never confused with a later one
    if full_key in kept:
        found: T = kept[full_key]
        return found
    answer = read()
    g.setdefault(_KEY, {})[full_key] = answer  # a write during ``read`` dropped the dict
    return answer


def remembered_list(db: Session, key: Hashable, read: Callable[[], list[T]]) -> list[T]:
    """:func:`remembered` for a list: each caller gets its own copy to sort or filter."""
    return list(remembered(db, key, read))


def remembered_rows(db: Session, key: Hashable, statement: Select[Any]) -> list[Any]:
    """:func:`remembered_list` of the rows ``statement`` selects through ``db``."""
    return remembered_list(db, key, lambda: list(db.scalars(statement)))


def forget() -> None:
    """Drop every answer kept in this request."""
    if has_request_context():
        g.pop(_KEY, None)


def _after_flush(_session: Session, _context: Any) -> None:
    forget()


def _after_rollback(_session: Session, *_args: Any) -> None:
    forget()


#: Statements that read or only open a transaction; any other statement may write.
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE")


def _before_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.lstrip()[:9].upper().startswith(_READS):
        forget()


def init_app(app: Flask) -> None:
    """Forget on every write through the app's engine and every session's flush or
    rollback."""
    listen_on_sessions([("after_flush", _after_flush), ("after_soft_rollback", _after_rollback)])
    engine = app.extensions["homeward_db"].engine
    if not event.contains(engine, "before_cursor_execute", _before_statement):
        event.listen(engine, "before_cursor_execute", _before_statement)
