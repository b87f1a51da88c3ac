"""Keyset cursors from query strings: parsed strictly, anything malformed means "first page"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

#: Longer cursors are never ours (an ISO time, a separator and a UUID fit in 80 characters).
MAX_CURSOR = 120


def split_cursor(cursor: str | None) -> tuple[str, uuid.UUID] | None:
    """The value and row id of a ``value|id`` cursor; None when it is missing or malformed."""
    if not cursor or len(cursor) > MAX_CURSOR or not cursor.isascii():
        return None
    raw, sep, ident = cursor.rpartition("|")
    if not sep or not raw:
        return None
    try:
        return raw, uuid.UUID(ident)
    except ValueError:
        return None


def parse_time_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """A ``<ISO time with offset>|<uuid>`` cursor as an aware UTC time and an id, or None.

    A time without a zone, a bare date, or one that leaves the calendar when moved to UTC is
    not a cursor this application made: the caller shows the first page instead.
    """
    parts = split_cursor(cursor)
    if parts is None:
        return None
    raw, row_id = parts
    try:
        at = datetime.fromisoformat(raw)
        if at.tzinfo is None or "T" not in raw:
            return None
        return at.astimezone(UTC), row_id
    except (ValueError, OverflowError):
        return None
