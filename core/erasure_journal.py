"""The erasure journal: every erasure, also written outside the database, for restores.

Crypto-shredding destroys a person's data key in the database; a backup taken before the
erasure still holds the key (wrapped by the master key). Restoring that backup would bring the
person back. So each erasure is also appended to a file (``HOMEWARD_ERASURE_JOURNAL``, kept
beside the audit checkpoints, off the database's disk), and ``homeward backup restore``
replays it: every key named there that the restored database still holds is destroyed again.

One JSON object per line, ids only (never names or reasons)::

    {"format": "homeward-erasure/1", "subject_id": "…", "data_key_id": "…"}

The lines of a transaction are appended (with ``fsync``) just before it commits: an erasure
whose line cannot be written is not committed. A crash between the two leaves a line whose
erasure did not commit; a restore then completes that erasure, which had been decided.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from core.config import Settings, current_settings
from core.crypto import erase_subject
from core.crypto.models import DataKey
from core.exceptions import InvalidDataError
from core.signals import collect, erasure_replayed, erasure_replaying, subject_erased

log = logging.getLogger(__name__)

FORMAT = "homeward-erasure/1"
PENDING = "homeward_erasures_pending"
#: ``session.info`` flag: erasures made while replaying the journal are not journaled again.
REPLAYING = "homeward_replaying_erasures"


class JournalError(InvalidDataError):
    """The erasure journal cannot be read (a line in the middle is not an entry)."""


@dataclass(frozen=True)
class JournalEntry:
    subject_id: uuid.UUID
    data_key_id: uuid.UUID | None

    def to_line(self) -> str:
        key = str(self.data_key_id) if self.data_key_id else None
        data = {"format": FORMAT, "subject_id": str(self.subject_id), "data_key_id": key}
        return json.dumps(data, sort_keys=True) + "\n"


def append(path: str | Path, entries: list[JournalEntry]) -> None:
    """Append entries and sync them to disk (file mode 0600, created when missing)."""
    target = Path(path)
    created = not target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # several workers append to one file
        size = os.fstat(fd).st_size
        # After a torn append (a crash mid-write) start on a line of our own.
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        data = (("\n" if torn else "") + "".join(e.to_line() for e in entries)).encode()
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, size)  # leave no part of a line whose erasure will not commit
            raise
    finally:
        os.close(fd)
    if created:
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte: ``os.write`` may write part and return (a disk filling up); the next
    call then raises, so a short write never passes for a whole line."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read(path: str | Path) -> list[JournalEntry]:
    """Every entry of the journal (none when the file is missing).

    A torn line (a crash in the middle of an append: cut short, no closing brace) is skipped
    with a warning naming its line number; any other line that is not an entry raises
    JournalError, for an operator to look at.
    """
    target = Path(path)
    if not target.exists():
        return []
    entries = []
    # Bytes that are not UTF-8 become U+FFFD, so such a line is refused as not an entry.
    text = target.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            entries.append(_entry(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if line.startswith("{") and not line.rstrip().endswith("}"):
                log.warning("erasure journal %s: line %d was cut short; skipped", target, number)
                continue
            raise JournalError(f"erasure journal {target}: line {number} is not an entry") from exc
    return entries


def _entry(line: str) -> JournalEntry:
    data = json.loads(line)
    if data.get("format") != FORMAT:
        raise ValueError("unknown format")
    key = data.get("data_key_id")
    return JournalEntry(uuid.UUID(data["subject_id"]), uuid.UUID(key) if key else None)


def on_subject_erased(_sender: Any, session: Session, subject_id: uuid.UUID, **_: Any) -> None:
    """Remember the erasure; it is written to the journal when the transaction commits."""
    if session.info.get(REPLAYING) or not has_app_context():
        return
    path = current_settings().ERASURE_JOURNAL
    if not path:
        return
    key_id = session.scalar(select(DataKey.id).where(DataKey.subject_id == subject_id))
    # Remember the innermost transaction: a savepoint rolled back takes its erasures with it.
    within = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).append((path, JournalEntry(subject_id, key_id), within))


def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the erasure is not committed yet
        return
    pending: list[tuple[str, JournalEntry, Any]] = session.info.pop(PENDING, [])
    by_path: dict[str, list[JournalEntry]] = {}
    for path, entry, _within in pending:
        by_path.setdefault(path, []).append(entry)
    for path, entries in by_path.items():
        append(path, entries)


def _forget_pending(session: Session, previous: SessionTransaction) -> None:
    """Forget the erasures of a rolled-back transaction, or of a savepoint and those within."""
    if previous.parent is None:  # the whole transaction rolled back
        session.info.pop(PENDING, None)
        return
    session.info[PENDING] = [
        item for item in session.info.get(PENDING, []) if not _inside(item[2], previous)
    ]


def _inside(transaction: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False


def replay(session: Session, entries: list[JournalEntry]) -> list[uuid.UUID]:
    """Erase again, on a restored database, every subject whose key it still holds.

    Returns the subjects erased (each with an ``erasure_replayed`` event). Flushes; the
    caller commits. Safe to run twice: destroyed keys are skipped.
    """
    session.info[REPLAYING] = True
    replayed = []
    try:
        for entry in entries:
            row = session.scalar(select(DataKey).where(DataKey.subject_id == entry.subject_id))
            if row is None or row.destroyed_at is not None:
                continue
            key_id = row.id
            if not any(
                collect(erasure_replaying, None, bool, session=session, subject_id=entry.subject_id)
            ):
                erase_subject(session, entry.subject_id)
            erasure_replayed.send(
                None, session=session, subject_id=entry.subject_id, data_key_id=key_id
            )
            session.flush()
            replayed.append(entry.subject_id)
    finally:
        session.info.pop(REPLAYING, None)
    return replayed


def init_app(app: Flask) -> None:
    """Journal every erasure of this app (when ``HOMEWARD_ERASURE_JOURNAL`` is set)."""
    subject_erased.connect(on_subject_erased)
    if not event.contains(Session, "before_commit", _write_pending):
        event.listen(Session, "before_commit", _write_pending)
        event.listen(Session, "after_soft_rollback", _forget_pending)
    settings: Settings = app.config["HOMEWARD_SETTINGS"]
    if settings.is_production and not settings.ERASURE_JOURNAL:
        app.logger.warning(
            "HOMEWARD_ERASURE_JOURNAL is not set: a restored backup would bring back people "
            "erased after it was taken"
        )
