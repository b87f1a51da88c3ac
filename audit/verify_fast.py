"""The verifier's fast path: the chain read as plain DB-API tuples in the exact text form the
hash was made of (:func:`audit.chain.canonical_bytes_of_texts`), one dialect at a time; a row
whose stored form is not the expected one goes to the reference (:mod:`audit.verify_reference`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_FAST_COLUMNS = {
    "postgresql": (
        "seq, CASE WHEN occurred_at >= '1000-01-01 00:00:00+00' THEN "
        "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END, "
        "actor_user_id::text, actor_role, actor_organisation_id::text, session_id::text, "
        "ip_address, user_agent_fingerprint, action, object_type, object_id, case_id::text, "
        "outcome, details, prev_hash, hash, occurred_at::text"
    ),
    "sqlite": (
        "seq, occurred_at, actor_user_id, actor_role, actor_organisation_id, session_id, "
        "ip_address, user_agent_fingerprint, action, object_type, object_id, case_id, "
        "outcome, details, prev_hash, hash, occurred_at"
    ),
}
#: Keyset on ``(seq, occurred_at)``, PostgreSQL's primary key (one index range per partition,
#: merged): a second row with the same ``seq`` in another partition is read too, wherever it
#: falls in the batches, and the walk reports it. The last column is ``occurred_at`` as the
#: next batch's key takes it (text on PostgreSQL, which also holds ``infinity``). No upper
#: bound in the WHERE: with stale statistics a planner may sort the rest of the table.
_FAST_QUERY = {
    "postgresql": "SELECT {columns} FROM audit_event WHERE (seq, occurred_at) > "
    "(%s, CAST(%s AS timestamptz)) ORDER BY seq, occurred_at LIMIT %s",
    "sqlite": "SELECT {columns} FROM audit_event WHERE (seq, occurred_at) > (?, ?) "
    "ORDER BY seq, occurred_at LIMIT ?",
}


def _raw_batches(
    session: Session, after: int, until: int, batch_size: int, end_read_transactions: bool
) -> Iterator[Sequence[Any]]:
    """Plain DB-API tuples in keyset batches (``after < seq <= until``), no ORM, no Row objects.

    Only the chained columns and the hash, as text the canonical form uses (PostgreSQL casts
    uuids and formats the time itself); :func:`_fast_texts` checks and finishes the rest.
    Every row with a ``seq`` in range is read, twins included (the key is ``(seq, occurred_at)``;
    the first batch's NULL time makes the comparison ``seq > after``).
    """
    name = _dialect(session)
    sql = _FAST_QUERY[name].format(columns=_FAST_COLUMNS[name])
    last, last_at = after, None
    while True:
        dbapi = session.connection().connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        # ``until - last + 1`` sequence numbers (``last`` for its twins) are left in range
        limit = min(batch_size, until - last + 1)
        try:
            cursor.execute(sql, (last, last_at, limit))
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if end_read_transactions:
            session.rollback()
        past = bool(rows) and rows[-1][0] > until
        if past:
            rows = [row for row in rows if row[0] <= until]
        if rows:
            yield rows
            last, last_at = rows[-1][0], rows[-1][16]
        if past or len(rows) < limit:
            return


_HEX32 = re.compile(r"[0-9a-f]{32}").fullmatch
_SQLITE_TIME = re.compile(r"[1-9]\d{3}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}").fullmatch
_PG_TIME = re.compile(r"[1-9]\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z").fullmatch


def _sqlite_uuid(value: str | None) -> str | None:
    if value is None:
        return None
    if not _HEX32(value):
        raise ValueError("not a stored uuid")
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _fast_texts_postgresql(row: Sequence[Any]) -> Sequence[Any]:
    """The 15 chained values as :func:`canonical_bytes_of_texts` takes them: PostgreSQL gave
    them as text already; a time outside years 1000-9999 raises ValueError (the caller then
    asks the reference path, whose formatting differs there)."""
    if not _PG_TIME(row[1]):
        raise ValueError("time outside the fast form")
    return row[:15]


def _fast_texts_sqlite(row: Sequence[Any]) -> Sequence[Any]:
    """As :func:`_fast_texts_postgresql` from SQLite's stored text (uuids as 32 hex digits, the
    time as ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC). Raises ValueError for anything not in that
    exact form (an odd time, a uuid not as SQLAlchemy writes it): the reference then decides."""
    occurred = row[1]
    if not isinstance(occurred, str) or not _SQLITE_TIME(occurred):
        raise ValueError("time outside the fast form")
    datetime.fromisoformat(occurred)  # a real date and time, as the reference would parse it
    return (
        row[0],
        f"{occurred[:10]}T{occurred[11:]}Z",
        None if row[2] is None else _sqlite_uuid(row[2]),
        row[3],
        None if row[4] is None else _sqlite_uuid(row[4]),
        None if row[5] is None else _sqlite_uuid(row[5]),
        *row[6:11],
        None if row[11] is None else _sqlite_uuid(row[11]),
        *row[12:15],
    )


def _fast_texts(name: str, row: Sequence[Any]) -> Sequence[Any]:
    """The fast form of one fetched row for the named dialect (see the two functions above)."""
    if name == "postgresql":
        return _fast_texts_postgresql(row)
    return _fast_texts_sqlite(row)
