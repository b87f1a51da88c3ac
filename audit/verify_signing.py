"""Verify, then sign: the periodic checkpoint's walk from this key's newest checkpoint."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.checkpoints import (
    Checkpoint,
    create_checkpoint,
    public_key_hex,
    sign,
    signature_holds,
)
from audit.models import AuditCheckpoint
from audit.retention import retention_anchor
from audit.services import lock_chain
from audit.verify import _anchor, _check_signatures, _Cursor, verify_chain
from audit.verify_reference import BATCH_SIZE, VerifyReport
from core.clock import utcnow
from core.exceptions import HomewardError
from core.security import Actor


class ChainBrokenError(HomewardError):
    """The chain does not verify since the last checkpoint: nothing is signed."""

    def __init__(self, report: VerifyReport, from_seq: int) -> None:
        super().__init__(report.problem.message if report.problem else "chain broken")
        self.report = report
        self.from_seq = from_seq


def own_checkpoints(session: Session, seed: bytes) -> tuple[Checkpoint | None, list[int]]:
    """The newest stored checkpoint of this key whose signature holds, and the seqs of the
    newer rows under this key whose signature does not.

    The app role may insert checkpoint rows (the job runs as it), and the public key is in
    every checkpoint file: a row with a junk signature and a seq past the head must not
    become the start of every later run (each would fail, and retention with it). Its seq is
    returned for the job to report; ``homeward audit verify`` reports it as a break."""
    key = public_key_hex(seed)
    forged: list[int] = []
    rows = session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.public_key == key)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .execution_options(yield_per=200)
    )
    try:
        for row in rows:
            checkpoint = Checkpoint.from_row(row)
            if signature_holds(checkpoint, {key}):
                return checkpoint, forged
            forged.append(checkpoint.seq)
    finally:
        rows.close()
    return None, forged


def _check_previous(session: Session, previous: Checkpoint, trusted: set[str]) -> None:
    """The checkpoint file's signature holds and its event still carries its hash (unless
    retention dropped it: its signed anchor covers it then). Raises ChainBrokenError."""
    problem = _check_signatures([previous], trusted)
    removed = retention_anchor(session, trusted)
    if problem is None and (removed is None or previous.seq > removed.seq):
        problem = _anchor(session, previous, _Cursor())
    if problem is not None:
        raise ChainBrokenError(VerifyReport(problem=problem), previous.seq)


def verified_checkpoint(
    session: Session,
    seed: bytes,
    actor: Actor | None = None,
    batch_size: int = BATCH_SIZE,
    previous: Checkpoint | None = None,
) -> tuple[Checkpoint, VerifyReport]:
    """Verify the events since the newest checkpoint of this key, then sign the head.

    The cost follows the events appended since that checkpoint, not the length of the chain,
    so it can run every minute (only the very first checkpoint walks the whole chain). The
    walk runs in short read transactions first; the chain is locked only to check the few
    events appended meanwhile and to sign. Raises ChainBrokenError (nothing is signed) when
    an event since the checkpoint, or the event it signed, does not fit. When retention
    dropped the events through that checkpoint, the walk starts at retention's signed anchor
    instead (:func:`audit.verify.verify_chain`).

    ``previous`` is the checkpoint this job wrote last time, kept outside the database: the
    database's own checkpoints can be deleted by whoever rewrites the events, so the walk
    starts at the later of the two, and the event ``previous`` signed must still carry its hash.
    """
    trusted = {public_key_hex(seed)}
    start, forged = own_checkpoints(session, seed)
    if previous is not None and previous.public_key != public_key_hex(seed):
        previous = None  # written with the key before a rotation: the database's rows decide
    if previous is not None:
        _check_previous(session, previous, trusted)
        if start is None or previous.seq > start.seq:
            start = previous
    from_seq = start.seq if start else 0
    report = verify_chain(
        session,
        trusted_keys=trusted,
        start=start,
        batch_size=batch_size,
        end_read_transactions=True,
    )
    report.forged_checkpoints = forged
    if report.problem is not None:
        raise ChainBrokenError(report, from_seq)
    lock_chain(session)
    # An in-memory anchor at the head just verified: signed by the same key, never stored.
    anchor = sign(seed, report.head_seq, report.head_hash, utcnow()) if report.head_seq else None
    rest = verify_chain(session, trusted_keys=trusted, start=anchor, batch_size=batch_size)
    rest.forged_checkpoints = forged
    if rest.problem is not None:
        raise ChainBrokenError(rest, from_seq)
    rest.events_checked += report.events_checked
    rest.seconds += report.seconds
    return create_checkpoint(session, seed, actor), rest
