"""Audit's part in backups: a checkpoint before the dump, the chain's head in the manifest,
the chain verified on a restored copy, and an event for each erasure replayed on restore."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import actions
from audit.chain import GENESIS_HASH
from audit.checkpoints import (
    CheckpointError,
    latest_checkpoint,
    parse_checkpoint,
    public_key_hex,
)
from audit.models import AuditEvent
from audit.services import record
from audit.verify import stored_checkpoints, verify_chain
from audit.verify_signing import ChainBrokenError, verified_checkpoint
from core.keys import KeyRing
from core.signals import BackupCheck, BackupFacts

log = logging.getLogger(__name__)


def on_backup_preparing(_sender: Any, session: Session, keys: KeyRing, **_: Any) -> None:
    """Sign the verified head, so the backup carries a checkpoint of what it holds, and
    record that a backup was taken. A broken chain is backed up all the same, unsigned."""
    try:
        _made, report = verified_checkpoint(session, keys.checkpoint_signing_key)
    except ChainBrokenError as exc:
        session.rollback()
        log.warning("the audit chain does not verify: backing up without a new checkpoint")
        report = exc.report
    if report.forged_checkpoints:
        # Skipped, as the checkpoint job skips them, and named there; evidence of tampering.
        log.warning(
            "%d stored audit checkpoint(s) carry this key's public key but no valid "
            "signature: forged rows, skipped; run `homeward audit checkpoint` to see which",
            len(report.forged_checkpoints),
        )
    record(session, actions.BACKUP_STARTED, object_type="backup")


def on_backup_facts(_sender: Any, session: Session, **_: Any) -> BackupFacts:
    """The chain's head and newest checkpoint, as the dump holds them."""
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    checkpoint = latest_checkpoint(session)
    return BackupFacts(
        "audit",
        {
            "head_seq": head.seq if head else 0,
            "head_hash": head.hash if head else GENESIS_HASH,
            "checkpoint": json.loads(checkpoint.to_json()) if checkpoint else None,
        },
    )


def on_backup_checking(
    _sender: Any, session: Session, manifest: dict[str, Any], keys: KeyRing, **_: Any
) -> list[BackupCheck]:
    """The restored chain verifies (against its checkpoints and the manifest's, signed by the
    current key) and still holds the head the manifest names."""
    facts = manifest.get("audit") or {}
    checkpoints = stored_checkpoints(session)
    try:
        if facts.get("checkpoint"):
            checkpoints.append(parse_checkpoint(json.dumps(facts["checkpoint"])))
    except CheckpointError as exc:
        return [BackupCheck("audit chain", False, f"the manifest's checkpoint: {exc}")]
    report = verify_chain(
        session,
        checkpoints=checkpoints,
        trusted_keys={public_key_hex(keys.checkpoint_signing_key)},
    )
    if report.problem is not None:
        chain = BackupCheck(
            "audit chain", False, f"broken at event {report.problem.seq}: {report.problem.message}"
        )
    else:
        chain = BackupCheck("audit chain", True, f"{report.events_checked} events intact")
    seq = int(facts.get("head_seq", 0))
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq)) if seq else None
    expected = facts.get("head_hash")
    same = stored == expected if seq else expected in (None, GENESIS_HASH)
    head = BackupCheck(
        "audit head",
        same,
        f"event {seq} as the manifest says" if same else f"event {seq} differs from the manifest",
    )
    return [chain, head]


def on_erasure_replayed(
    _sender: Any, session: Session, subject_id: uuid.UUID, data_key_id: uuid.UUID, **_: Any
) -> None:
    record(
        session,
        actions.ERASURE_REPLAYED,
        object_type="person",
        object_id=subject_id,
        details={"data_key_id": str(data_key_id), "source": "erasure_journal"},
    )
