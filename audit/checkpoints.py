"""Signed checkpoints: Ed25519 over (sequence, head hash, time), stored and kept off-host.

The signed message is the UTF-8 text ``homeward-audit-checkpoint/1|<seq>|<head hash>|<time>``
with the time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. A checkpoint file is that data as JSON with
the signature and the signer's public key in lowercase hex::

    {"format": "homeward-audit-checkpoint/1", "seq": 4000, "head_hash": "…",
     "created_at": "2026-11-28T06:00:00.000000Z", "signature": "…", "public_key": "…"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import actions
from audit.chain import GENESIS_HASH
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import lock_chain, record
from core.clock import utcnow
from core.exceptions import InvalidDataError
from core.security import Actor

FORMAT = "homeward-audit-checkpoint/1"
#: A retention anchor's message starts with this instead (``kind``): a signature made for one
#: never holds as the other, so an ordinary checkpoint cannot excuse removed events. Version 2
#: also signs the chain's newest event when retention dropped (:class:`audit.retention.Anchor`).
ANCHOR_FORMAT = "homeward-retention-anchor/2"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class CheckpointError(InvalidDataError):
    """A checkpoint file cannot be read or its signature does not hold."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    created_at: datetime
    signature: str
    public_key: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "seq": self.seq,
                "head_hash": self.head_hash,
                "created_at": self.created_at.astimezone(UTC).strftime(TIME_FORMAT),
                "signature": self.signature,
                "public_key": self.public_key,
            },
            indent=2,
        )

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> Checkpoint:
        return cls(row.seq, row.head_hash, row.created_at, row.signature, row.public_key)


def signed_message(seq: int, head_hash: str, created_at: datetime, kind: str = FORMAT) -> bytes:
    when = created_at.astimezone(UTC).strftime(TIME_FORMAT)
    return f"{kind}|{seq}|{head_hash}|{when}".encode()


def public_key_hex(seed: bytes) -> str:
    """The Ed25519 public key (hex) of a 32-byte signing seed."""
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign(
    seed: bytes, seq: int, head_hash: str, created_at: datetime, kind: str = FORMAT
) -> Checkpoint:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    signature = key.sign(signed_message(seq, head_hash, created_at, kind)).hex()
    return Checkpoint(seq, head_hash, created_at, signature, public_key_hex(seed))


def signature_holds(
    checkpoint: Checkpoint, trusted_public_keys: set[str], kind: str = FORMAT
) -> bool:
    """True when a trusted key made the signature over exactly these seq, hash and time, as
    a message of ``kind`` (an ordinary checkpoint, or :data:`ANCHOR_FORMAT`)."""
    if checkpoint.public_key not in trusted_public_keys:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.public_key))
        key.verify(
            bytes.fromhex(checkpoint.signature),
            signed_message(checkpoint.seq, checkpoint.head_hash, checkpoint.created_at, kind),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint file; raises CheckpointError with a one-line reason."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise CheckpointError(f"not a checkpoint file (expected format {FORMAT})")
        return Checkpoint(
            seq=int(data["seq"]),
            head_hash=str(data["head_hash"]),
            created_at=datetime.strptime(data["created_at"], TIME_FORMAT).replace(tzinfo=UTC),
            signature=str(data["signature"]),
            public_key=str(data["public_key"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"checkpoint file is malformed: {type(exc).__name__}") from exc


def create_checkpoint(session: Session, seed: bytes, actor: Actor | None = None) -> Checkpoint:
    """Sign the chain's current head, store the checkpoint, and record that it was made."""
    lock_chain(session)
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    checkpoint = sign(seed, seq, head_hash, utcnow())
    session.add(
        AuditCheckpoint(
            seq=checkpoint.seq,
            head_hash=checkpoint.head_hash,
            created_at=checkpoint.created_at,
            signature=checkpoint.signature,
            public_key=checkpoint.public_key,
        )
    )
    record(
        session,
        actions.AUDIT_CHECKPOINT_CREATED,
        actor=actor,
        object_type="audit_checkpoint",
        object_id=str(seq),
        details={"seq": seq, "public_key": checkpoint.public_key[:16]},
    )
    return checkpoint


def latest_checkpoint(session: Session) -> Checkpoint | None:
    row = session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
    )
    return Checkpoint.from_row(row) if row is not None else None
