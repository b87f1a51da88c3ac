"""Master key rotation: re-wrap data keys under the active version, in resumable batches.

Data is never touched: only ``data_key.wrapped_key`` and ``master_version`` change. A batch
takes the live data keys not yet on the active version, so an interrupted run simply
continues where it stopped when run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.crypto.errors import CryptoError
from core.crypto.keyring import Crypto
from core.crypto.models import DataKey
from core.keys import KeyRing

DESTROYED = "destroyed"


def key_status(session: Session) -> dict[str, int]:
    """How many live data keys each master version wraps, plus the destroyed ones."""
    rows = session.execute(
        select(DataKey.master_version, func.count())
        .where(DataKey.destroyed_at.is_(None))
        .group_by(DataKey.master_version)
    ).all()
    status = {str(version): int(count) for version, count in rows}
    destroyed = session.scalar(
        select(func.count()).select_from(DataKey).where(DataKey.destroyed_at.is_not(None))
    )
    if destroyed:
        status[DESTROYED] = int(destroyed)
    return status


def _stale(crypto: Crypto) -> ColumnElement[bool]:
    return and_(DataKey.destroyed_at.is_(None), DataKey.master_version != crypto.ring.active)


def pending_rewrap(session: Session, crypto: Crypto) -> int:
    """Live data keys still wrapped by a version other than the active one."""
    return int(session.scalar(select(func.count()).select_from(DataKey).where(_stale(crypto))) or 0)


def rewrap_batch(session: Session, crypto: Crypto, batch_size: int = 500) -> int:
    """Re-wrap up to ``batch_size`` stale data keys under the active version; flushes.

    Returns how many were re-wrapped (0 when done). Raises MasterKeyError when an old
    version is missing from the key material.

    The batch's keys are read ``FOR UPDATE`` (on SQLite: under the write lock, see
    :mod:`core.sqlite_writer`): an erasure that destroyed one of them after this read would
    otherwise have its zeroed key overwritten by a working copy re-wrapped from the old one.
    An erasure waits for the batch, then destroys the re-wrapped key. On PostgreSQL the batch
    skips keys another transaction holds (``SKIP LOCKED``): an erasure of several people, or
    a reindex, locks them in another order, and waiting for it could deadlock; a later batch
    takes them (:func:`rewrap_all` goes on while :func:`pending_rewrap` counts any).
    """
    skip = session.get_bind().dialect.name == "postgresql"
    rows = session.scalars(
        select(DataKey)
        .where(_stale(crypto))
        .order_by(DataKey.id)
        .limit(batch_size)
        .with_for_update(skip_locked=skip)
    ).all()
    for row in rows:
        key = crypto.unwrap(row)
        row.master_version, row.wrapped_key = crypto.wrap(row.id, row.subject_id, key)
        row.rewrapped_at = utcnow()
    session.flush()
    return len(rows)


#: How long :func:`rewrap_all` waits when every stale key left is held by another transaction.
HELD_WAIT_SECONDS = 0.5


def rewrap_all(
    new_session: Callable[[], AbstractContextManager[Session]],
    crypto: Crypto,
    batch_size: int,
    progress: Callable[[int], None],
) -> int:
    """Re-wrap every stale data key, one batch per transaction (``new_session`` gives a
    committing session scope); returns how many. A batch that found only keys held by others
    (skipped) is tried again after :data:`HELD_WAIT_SECONDS`, until none is stale."""
    done = 0
    while True:
        with new_session() as session:
            count = rewrap_batch(session, crypto, batch_size)
        if count:
            done += count
            progress(count)
            continue
        with new_session() as session:
            if not pending_rewrap(session, crypto):
                return done
        time.sleep(HELD_WAIT_SECONDS)


def retire_version(session: Session, ring: KeyRing, version: str) -> KeyRing:
    """A copy of ``ring`` without master key ``version``, listed as retired.

    Raises CryptoError when the version is active, unknown, or still wraps any data key.
    """
    if version == ring.active:
        raise CryptoError(f"master key version {version} is active; rotate first")
    if version not in ring.master_keys:
        raise CryptoError(f"master key version {version} is not in the key material")
    in_use = key_status(session).get(version, 0)
    if in_use:
        raise CryptoError(
            f"master key version {version} still wraps {in_use} data keys; "
            "run `homeward keys rotate --resume` first"
        )
    masters = {v: k for v, k in ring.master_keys.items() if v != version}
    return replace(ring, master_keys=masters, retired=ring.retired | {version})
