"""The one source of the current time, so tests can move it without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC) + _offset


def travel(offset: timedelta) -> None:
    """Tests only: shift what utcnow() returns by ``offset`` (reset with timedelta(0))."""
    global _offset
    _offset = offset
