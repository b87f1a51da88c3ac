"""CSV export of the log: ids, codes and hashes only, streamed in keyset batches."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.queries import LogFilter
from audit.references import case_labels

COLUMNS = (
    "seq",
    "occurred_at",
    "actor_user_id",
    "actor_role",
    "actor_organisation_id",
    "session_id",
    "ip_address",
    "user_agent_fingerprint",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "case_reference",
    "outcome",
    "details",
    "prev_hash",
    "hash",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Text for a spreadsheet that cannot be taken for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_cell(v) for v in values])
    return buffer.getvalue()


def _row(event: AuditEvent, references: dict[uuid.UUID, str]) -> list[object]:
    reference = references.get(event.case_id) if event.case_id is not None else None
    return [
        event.seq,
        event.occurred_at.isoformat(),
        event.actor_user_id,
        event.actor_role,
        event.actor_organisation_id,
        event.session_id,
        event.ip_address,
        event.user_agent_fingerprint,
        event.action,
        event.object_type,
        event.object_id,
        event.case_id,
        reference,
        event.outcome,
        event.details,
        event.prev_hash,
        event.hash,
    ]


def csv_lines(session: Session, flt: LogFilter, batch_size: int = 2000) -> Iterator[str]:
    """The header, then every matching event oldest first.

    The filter's conditions are built now, before anything is sent (a bad filter raises
    here, never halfway through the download). Each batch is read in its own short
    transaction, so a long download holds no lock.
    """
    return _stream(session, flt.conditions(), batch_size)


def _stream(
    session: Session, conditions: list[ColumnElement[bool]], batch_size: int
) -> Iterator[str]:
    yield _line(list(COLUMNS))
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(AuditEvent)
                .where(*conditions, AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch_size)
            )
        )
        references = case_labels(session, {e.case_id for e in batch if e.case_id is not None})
        session.rollback()
        if not batch:
            return
        yield "".join(_line(_row(event, references)) for event in batch)
        last = batch[-1].seq
