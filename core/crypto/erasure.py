"""Crypto-shredding: destroy a subject's data key so nothing of theirs can be read again.

Before the key is destroyed, registered *skeleton hooks* run: each may read the subject's
data one last time and store a non-identifying statistical skeleton (year, sex, age band,
case type, outcomes; never names, dates of birth, documents or free text). The casework
domain registers its hook with :func:`register_skeleton_hook`.

Dumps and backups taken before the erasure still hold the data key wrapped by the master
key version of that time; they become unreadable once that version is retired (rotate, then
``homeward keys retire``), which is why rotation is part of the erasure routine (docs/crypto.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.crypto.keystore import forget_keys
from core.crypto.models import BlindIndexEntry, DataKey
from core.signals import subject_erased

SkeletonHook = Callable[[Session, uuid.UUID], None]
_skeleton_hooks: list[SkeletonHook] = []


def register_skeleton_hook(hook: SkeletonHook) -> None:
    """Run ``hook(session, subject_id)`` before a subject's key is destroyed."""
    if hook not in _skeleton_hooks:
        _skeleton_hooks.append(hook)


def unregister_skeleton_hook(hook: SkeletonHook) -> None:
    """Stop running ``hook`` (tests, or an app that unloads a domain)."""
    if hook in _skeleton_hooks:
        _skeleton_hooks.remove(hook)


def erase_subject(session: Session, subject_id: uuid.UUID) -> bool:
    """Crypto-shred a subject: keep the skeleton, destroy the data key, delete index entries.

    Afterwards every decryption of the subject's values raises SubjectErasedError and
    searches no longer find them. Returns False when the subject had no data key (nothing
    was ever encrypted for them; indexes are cleared all the same). Flushes; the caller
    commits and records the audit event.
    """
    for hook in list(_skeleton_hooks):
        hook(session, subject_id)
    session.flush()
    row = session.scalars(select(DataKey).where(DataKey.subject_id == subject_id)).first()
    if row is not None and row.destroyed_at is None:
        row.wrapped_key = bytes(len(row.wrapped_key))
        row.destroyed_at = utcnow()
        # Written before the entries are deleted: a concurrent reindex batch holds this row
        # share-locked (core.crypto.reindex), so the delete below runs after it committed
        # and sees every entry it wrote.
        session.flush()
    session.execute(delete(BlindIndexEntry).where(BlindIndexEntry.subject_id == subject_id))
    session.flush()
    forget_keys(session)
    subject_erased.send(None, session=session, subject_id=subject_id)
    return row is not None
