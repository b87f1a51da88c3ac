"""Keyset cursors and page numbers from query strings: parsed strictly, anything malformed means
"first page"; numbered pages of a list already read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

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


#: Page numbers past this are never ours (a work list of a million rows has 20,000 pages of 50).
MAX_PAGE_DIGITS = 6


def page_number(raw: str | None) -> int:
    """A ``?group=N`` page number from a query string: 1 when missing or malformed (not
    ASCII digits, zero, too long); a number past the last page is the caller's to clamp."""
    if not raw or len(raw) > MAX_PAGE_DIGITS or not (raw.isascii() and raw.isdigit()):
        return 1
    return max(int(raw), 1)


@dataclass(frozen=True)
class NumberedPage(Generic[T]):
    """One page of a list already in memory and in order: its rows, the list's full count and
    where the page sits (numbered from 1)."""

    rows: list[T]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the page's first row in the whole list (0 when it is empty)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    def with_rows(self, rows: list[U]) -> NumberedPage[U]:
        """The same page with its rows replaced (the same rows with more facts)."""
        return NumberedPage(rows, self.total, self.number, self.size)


def numbered_page(rows: Sequence[T], number: int, size: int) -> NumberedPage[T]:
    """Page ``number`` of ``rows``, ``size`` a page; a number past the last page shows the last."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    return NumberedPage(list(rows[start : start + size]), len(rows), number, size)


def pages_past_first(pages: object, groups: Sequence[str]) -> dict[str, int]:
    """The page number of each of ``pages``' named groups (attributes holding a
    :class:`NumberedPage`) past its first, as a work list's query string names it."""
    numbers = {name: getattr(pages, name).number for name in groups}
    return {name: number for name, number in numbers.items() if number > 1}
