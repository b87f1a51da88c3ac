"""A key-rotation batch and an erasure at the same time: the erased person's data key stays
destroyed (review of core.sqlite_writer: the batch read its keys with a plain SELECT and wrote
them back re-wrapped, so an erasure committed in between had its zeroed key overwritten by a
working copy; on PostgreSQL at READ COMMITTED as on SQLite once reads took no lock)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from core.crypto import DataKey, erase_subject
from core.crypto.keyring import next_version
from core.crypto.rotation import HELD_WAIT_SECONDS, pending_rewrap, rewrap_all, rewrap_batch
from core.db import current_db
from core.keys import FileKeyProvider
from tests.core.test_crypto_keys import deployment, get_crypto_from  # noqa: F401

#: How long the batch gives the erasure to commit before it writes (it cannot: it waits).
ERASURE_GRACE_SECONDS = 1.0


def test_a_key_erased_while_a_rotation_batch_works_stays_destroyed(deployment):  # noqa: F811
    crypto = get_crypto_from(deployment.app)
    ring = next_version(crypto.ring)
    FileKeyProvider(deployment.key_path).save(ring)
    crypto.replace_ring(ring)
    with deployment.session_scope() as session:
        erased = session.scalar(select(DataKey.subject_id).order_by(DataKey.id).limit(1))
    errors: list[BaseException] = []

    def erase() -> None:
        try:
            with deployment.app.app_context(), current_db().session_scope() as eraser:
                erase_subject(eraser, erased)
        except BaseException as error:  # reported below
            errors.append(error)

    eraser = threading.Thread(target=erase)
    real_unwrap = crypto.unwrap

    def unwrap_while_erasing(row):
        if not eraser.is_alive() and eraser.ident is None:
            # The batch has read its keys; an erasure starts and, before the fix, commits.
            eraser.start()
            eraser.join(ERASURE_GRACE_SECONDS)
        return real_unwrap(row)

    crypto.unwrap = unwrap_while_erasing  # type: ignore[method-assign]
    try:
        with deployment.session_scope() as session:
            assert rewrap_batch(session, crypto, batch_size=5) == 5
    finally:
        del crypto.unwrap
    eraser.join()
    assert errors == []
    with deployment.session_scope() as session:
        row = session.scalar(select(DataKey).where(DataKey.subject_id == erased))
        assert row is not None and row.destroyed_at is not None
        assert row.wrapped_key == bytes(len(row.wrapped_key)), "the erased key was written back"


def test_a_rotation_skips_keys_another_transaction_holds_and_takes_them_after(
    deployment,  # noqa: F811
    backend,
):
    """PostgreSQL: a batch never waits for a key another transaction holds (an erasure of
    several people, or a reindex, locks keys in another order: waiting could deadlock); the
    rotation takes it once it is free, and ends only when no key is left stale."""
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite's one writer has no other order to wait in)")
    crypto = get_crypto_from(deployment.app)
    ring = next_version(crypto.ring)
    FileKeyProvider(deployment.key_path).save(ring)
    crypto.replace_ring(ring)
    engine = deployment.app.extensions["homeward_db"].engine
    with deployment.session_scope() as session:
        total = pending_rewrap(session, crypto)
        held = session.scalar(select(DataKey.id).order_by(DataKey.id).limit(1))
    holder = engine.connect()
    holder.execute(select(DataKey.id).where(DataKey.id == held).with_for_update())
    try:
        with deployment.session_scope() as session:
            assert rewrap_batch(session, crypto, batch_size=total) == total - 1
        counted: list[int] = []

        def rotate() -> None:
            with deployment.app.app_context():
                rewrap_all(deployment.session_scope, crypto, total, counted.append)

        rotation = threading.Thread(target=rotate)
        rotation.start()
        rotation.join(2 * HELD_WAIT_SECONDS)
        assert rotation.is_alive()  # waiting for the held key, not done without it
    finally:
        holder.rollback()
        holder.close()
    rotation.join(10)
    assert not rotation.is_alive() and counted == [1]
    with deployment.session_scope() as session:
        assert pending_rewrap(session, crypto) == 0
