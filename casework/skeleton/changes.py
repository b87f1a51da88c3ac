"""A counter of the flushes that wrote skeleton rows: the figures' cache's sign of a change.

A figures page is kept for a minute (:func:`reports.indicators.figures`) while a marker of
the skeletons is unchanged. The marker was a count of every skeleton (a scan of the whole
table on every page, cached or not: tens of milliseconds at 100,000 skeletons, growing with
them) and missed changes made in place (a referral answered, a score recorded), which then
showed only when the entry expired.

On PostgreSQL the marker is now the sequence :data:`CHANGES`: every flush that inserts,
changes or deletes a row of a skeleton table takes its next value (``after_flush``), and the
marker reads its last value, one row whatever the number of skeletons
(:func:`reports.queries.skeletons_marker`). A sequence is not transactional and takes no
lock that waits for another transaction, so writers never wait on one another here, and a
rolled-back flush only makes the next page count afresh. What it does not see, the minute's
expiry still bounds: a page read between a flush and its commit (the entry then carries the
new value without the change), a skeleton written outside the session's unit of work (the
benchmarks' bulk fill), and a streaming replica, which sees a sequence advance only every 32
values. The counter says how many writes there were, nothing of what or whose.

On SQLite (one writer, small installations) the marker stays the count.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import Sequence, select, text
from sqlalchemy.orm import Session

from casework.skeleton.models import (
    CaseSkeleton,
    CaseSkeletonAction,
    CaseSkeletonCode,
    CaseSkeletonReferral,
    CaseSkeletonScore,
)
from core.db import Base, listen_on_sessions

#: The sequence every flush that writes skeleton rows advances (PostgreSQL).
CHANGES = Sequence("skeleton_change_seq", metadata=Base.metadata)
#: The rows whose writes change a figure (the link to the case changes none).
COUNTED = (
    CaseSkeleton,
    CaseSkeletonCode,
    CaseSkeletonScore,
    CaseSkeletonAction,
    CaseSkeletonReferral,
)
#: The marker's reading of :data:`CHANGES` (a constant statement: the name is ours).
LAST_CHANGE = text("SELECT last_value, is_called FROM skeleton_change_seq")
#: ``session.info`` key: the flush being written touched skeleton rows.
TOUCHED = "skeleton_changes_touched"


def _after_flush(session: Session, _context: Any) -> None:
    if any(isinstance(o, COUNTED) for o in chain(session.new, session.dirty, session.deleted)):
        session.info[TOUCHED] = True


def _after_flush_postexec(session: Session, _context: Any) -> None:
    if session.info.pop(TOUCHED, False):
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(select(CHANGES.next_value()))


def _after_rollback(session: Session) -> None:
    session.info.pop(TOUCHED, None)


def listen() -> None:
    """Connect the listeners to every session (once)."""
    listen_on_sessions(
        (
            ("after_flush", _after_flush),
            ("after_flush_postexec", _after_flush_postexec),
            ("after_rollback", _after_rollback),
        )
    )
