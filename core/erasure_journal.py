"""The erasure journal: every erasure, also written outside the database, for restores.

Crypto-shredding destroys a person's data key in the database; a backup taken before the
erasure still holds the key (wrapped by the master key). Restoring that backup would bring the
person back. So each erasure is also appended to a file (``HOMEWARD_ERASURE_JOURNAL``, kept
beside the audit checkpoints, off the database's disk), and ``homeward backup restore``
replays it: every key named there that the restored database still holds is destroyed again.

One JSON object per line, ids only (never names or reasons)::

    {"format": "homeward-erasure/2", "subject_id": "…", "data_key_id": "…", "mac": "…"}

``mac`` is HMAC-SHA256, under a key derived by HKDF from the checkpoint signing key (never
rotated, so no key version is recorded; master keys are not used since a retired version
leaves the key material and its lines could no longer be checked), over the chain value
before the line and the line's other fields. The chain value after an authenticated line is
its MAC, so a line added, altered, removed or moved is found at the next line. Lines written
before MACs (format ``homeward-erasure/1``, no ``mac``) are accepted only before the first
authenticated line; they are folded into the chain value (SHA-256), so they cannot be added
or changed once an authenticated line follows them. A file whose every MAC was stripped
cannot be told from one written before MACs, so a backup's signed manifest records the entry
count and chain value (:func:`anchor`) and its restore (:func:`read_since`) requires that
prefix and a MAC on every later line.

The lines of a transaction are appended (with ``fsync``) just before it commits: an erasure
whose line cannot be written is not committed. A crash between the two leaves a line whose
erasure did not commit; a restore then completes that erasure, which had been decided.
"""

from __future__ import annotations

import fcntl
import hashlib
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
from core.crypto import erase_subject, primitives
from core.crypto.keyring import get_crypto
from core.crypto.models import DataKey
from core.db import inside
from core.exceptions import InvalidDataError
from core.keys import KeyRing
from core.signals import collect, erasure_replayed, erasure_replaying, subject_erased

log = logging.getLogger(__name__)

FORMAT = "homeward-erasure/2"
LEGACY_FORMAT = "homeward-erasure/1"
#: HKDF ``info`` of the journal's MAC key, and what each MAC covers before the chain value.
KEY_INFO = b"homeward/erasure-journal/v1"
MAC_PREFIX = b"homeward-erasure/2|"
#: The chain value before the first line.
GENESIS = bytes(32)
#: How far back from the end ``append`` looks for the last line's MAC.
TAIL_BYTES = 64 * 1024
PENDING = "homeward_erasures_pending"
#: ``session.info`` flag: erasures made while replaying the journal are not journaled again.
REPLAYING = "homeward_replaying_erasures"


class JournalError(InvalidDataError):
    """The erasure journal cannot be read (a line is not an entry, or not authentic)."""


def journal_key(keys: KeyRing) -> bytes:
    """The journal's MAC key: derived, never the signing key itself, never written anywhere."""
    return primitives.derive_key(keys.checkpoint_signing_key, KEY_INFO)


@dataclass(frozen=True)
class JournalEntry:
    subject_id: uuid.UUID
    data_key_id: uuid.UUID | None

    def fields(self) -> dict[str, Any]:
        key = str(self.data_key_id) if self.data_key_id else None
        return {"format": FORMAT, "subject_id": str(self.subject_id), "data_key_id": key}


def _mac(key: bytes, chain: bytes, fields: dict[str, Any]) -> bytes:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return primitives.keyed_hash(key, MAC_PREFIX + chain + body)


def _fold_legacy(chain: bytes, fields: dict[str, Any]) -> bytes:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(b"homeward-erasure/1|" + chain + body).digest()


def _lines(entries: list[JournalEntry], key: bytes, chain: bytes) -> str:
    """The entries as authenticated lines, each chained to the one before."""
    out = []
    for entry in entries:
        fields = entry.fields()
        chain = _mac(key, chain, fields)
        out.append(json.dumps({**fields, "mac": chain.hex()}, sort_keys=True) + "\n")
    return "".join(out)


def append(path: str | Path, entries: list[JournalEntry], key: bytes) -> None:
    """Append entries, authenticated under ``key`` (:func:`journal_key`) and chained to the
    last line, and sync them to disk (file mode 0600, created when missing)."""
    target = Path(path)
    created = not target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # several workers append to one file
        size = os.fstat(fd).st_size
        # After a torn append (a crash mid-write) start on a line of our own.
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        lines = _lines(entries, key, _chain_at_end(target, fd, size, key))
        data = (("\n" if torn else "") + lines).encode()
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


def _chain_at_end(target: Path, fd: int, size: int, key: bytes) -> bytes:
    """The chain value after the file's last whole line: its MAC, read from the tail; when
    that line has none (a journal written before MACs), the whole file is read."""
    start = max(0, size - TAIL_BYTES)
    pieces = os.pread(fd, size - start, start).split(b"\n")
    complete = pieces[:-1] if start == 0 else pieces[1:-1]  # drop a cut first and a torn last
    for piece in reversed(complete):
        try:
            data = json.loads(piece)
        except ValueError:
            continue  # a torn line from an earlier crash
        if isinstance(data, dict) and isinstance(data.get("mac"), str):
            try:
                return bytes.fromhex(data["mac"])
            except ValueError:
                pass  # not a MAC: the whole file is checked, naming the line
        break
    if size == 0:
        return GENESIS
    text = os.pread(fd, size, 0).decode("utf-8", errors="replace")
    whole = text if text.endswith("\n") else text[: text.rfind("\n") + 1]
    return _verify(target, whole, key)[1]


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte: ``os.write`` may write part and return (a disk filling up); the next
    call then raises, so a short write never passes for a whole line."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read(path: str | Path, key: bytes) -> list[JournalEntry]:
    """Every entry of the journal (none when the file is missing), each line's MAC checked.

    A torn line (a crash in the middle of an append: cut short, no closing brace) is skipped
    with a warning naming its line number. A line that is not an entry, whose MAC does not
    verify under ``key``, or that has no MAC after one that has raises JournalError naming
    the line, for an operator to look at.
    """
    target = Path(path)
    if not target.exists():
        return []
    # Bytes that are not UTF-8 become U+FFFD, so such a line is refused as not an entry.
    return _verify(target, target.read_bytes().decode("utf-8", errors="replace"), key)[0]


def anchor(path: str | Path, key: bytes) -> tuple[int, str]:
    """(entries, chain value after the last, hex): recorded in a signed backup manifest, so
    a restore can tell the journal's lines from the backup on were not stripped of MACs."""
    target = Path(path)
    text = target.read_bytes().decode("utf-8", errors="replace") if target.exists() else ""
    entries, chain = _verify(target, text, key)[:2]
    return len(entries), chain.hex()


def read_since(path: str | Path, key: bytes, seen: int, chain: str) -> list[JournalEntry]:
    """Like :func:`read`, for a journal that held ``seen`` entries ending in chain value
    ``chain`` (:func:`anchor`) when a backup was taken: those must end in that value and
    every later line must carry a MAC (they were written by code that always writes one), so
    lines stripped of their MACs, or MAC-less lines added, are refused."""
    target = Path(path)
    text = target.read_bytes().decode("utf-8", errors="replace") if target.exists() else ""
    entries, _chain, chains = _verify(target, text, key)
    if len(entries) < seen:
        return entries  # the caller names a journal shorter than the backup saw
    before = chains[seen - 1][0] if seen else GENESIS
    if not primitives.constant_time_equal(before.hex().encode(), str(chain).encode()):
        raise JournalError(
            f"erasure journal {target}: its first {seen} entries are not those the backup "
            "saw (lines altered, removed or stripped of their MACs)"
        )
    for number, (_value, authenticated) in enumerate(chains[seen:], start=seen + 1):
        if not authenticated:
            raise JournalError(
                f"erasure journal {target}: entry {number} has no MAC but was written after "
                "the backup (added or stripped)"
            )
    return entries


def _verify(
    target: Path, text: str, key: bytes
) -> tuple[list[JournalEntry], bytes, list[tuple[bytes, bool]]]:
    """The entries of ``text``, the chain value after its last line, and after each entry
    the chain value and whether that entry carried a MAC."""
    entries, chain, authenticated = [], GENESIS, False
    chains: list[tuple[bytes, bool]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entry = _entry(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if line.startswith("{") and not line.rstrip().endswith("}"):
                log.warning("erasure journal %s: line %d was cut short; skipped", target, number)
                continue
            raise JournalError(f"erasure journal {target}: line {number} is not an entry") from exc
        fields = {k: v for k, v in data.items() if k != "mac"}
        if data["format"] == LEGACY_FORMAT:
            if authenticated:
                raise JournalError(
                    f"erasure journal {target}: line {number} has no MAC but follows lines "
                    "that have one (added or altered)"
                )
            chain = _fold_legacy(chain, fields)
        else:
            mac = _mac(key, chain, fields)
            if not primitives.constant_time_equal(mac.hex().encode(), str(data["mac"]).encode()):
                raise JournalError(
                    f"erasure journal {target}: line {number}'s MAC does not verify (a line "
                    "added, altered, removed or moved, or other key material)"
                )
            chain, authenticated = mac, True
        entries.append(entry)
        chains.append((chain, data["format"] == FORMAT))
    return entries, chain, chains


def _entry(data: Any) -> JournalEntry:
    if data.get("format") not in (FORMAT, LEGACY_FORMAT):
        raise ValueError("unknown format")
    if data["format"] == FORMAT and not isinstance(data.get("mac"), str):
        raise ValueError("no MAC")
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
    key = journal_key(get_crypto(session).ring)
    entry = JournalEntry(subject_id, key_id)
    session.info.setdefault(PENDING, []).append((path, entry, within, key))


def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the erasure is not committed yet
        return
    pending: list[tuple[str, JournalEntry, Any, bytes]] = session.info.pop(PENDING, [])
    by_path: dict[tuple[str, bytes], list[JournalEntry]] = {}
    for path, entry, _within, key in pending:
        by_path.setdefault((path, key), []).append(entry)
    for (path, key), entries in by_path.items():
        append(path, entries, key)


def _forget_pending(session: Session, previous: SessionTransaction) -> None:
    """Forget the erasures of a rolled-back transaction, or of a savepoint and those within."""
    if previous.parent is None:  # the whole transaction rolled back
        session.info.pop(PENDING, None)
        return
    session.info[PENDING] = [
        item for item in session.info.get(PENDING, []) if not inside(item[2], previous)
    ]


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
