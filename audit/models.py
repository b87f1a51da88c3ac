"""The audit event (one row per thing that happened, chained by hashes) and signed checkpoints.

Both tables are append-only: on PostgreSQL and SQLite, triggers (see the migration
``audit_append_only``) reject UPDATE, DELETE and (PostgreSQL) TRUNCATE.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core import migrate as migrate_keys
from core.db import Base


class AuditEvent(Base):
    """An append-only audit record. Holds ids, field names and counts, never personal data."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_organisation_id: Mapped[uuid.UUID | None]
    session_id: Mapped[uuid.UUID | None]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent_fingerprint: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID | None]
    outcome: Mapped[str] = mapped_column(String(10))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (
        Index("ix_audit_event_actor_seq", "actor_user_id", "seq"),
        Index("ix_audit_event_case_seq", "case_id", "seq"),
        Index("ix_audit_event_object_seq", "object_type", "object_id", "seq"),
        Index("ix_audit_event_action_seq", "action", "seq"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_organisation_seq", "actor_organisation_id", "seq"),
        Index("ix_audit_event_outcome_seq", "outcome", "seq"),
    )

    @property
    def details_dict(self) -> dict[str, Any]:
        loaded = json.loads(self.details or "{}")
        return loaded if isinstance(loaded, dict) else {}


# On PostgreSQL, audit_event is partitioned by month (migration d4f8a1b2c3e5): its primary key
# and the hash's unique constraint include ``occurred_at`` there, and ``audit_seq`` (no model)
# keeps ``seq`` unique across partitions. The drift check leaves these out (core.migrate).
Base.metadata.info.setdefault(migrate_keys.MIGRATION_ONLY_TABLES, set()).update(
    {"audit_seq", "audit_head"}
)
Base.metadata.info.setdefault(migrate_keys.PARTITION_WIDENED, set()).add("uq_audit_event_hash")


class AuditCheckpoint(Base):
    """A signed statement "the chain had ``seq`` events ending in ``head_hash`` at ``created_at``".

    ``signature`` is Ed25519 over :func:`audit.checkpoints.signed_message` by the checkpoint key;
    ``public_key`` (hex) names the key that signed, so a rotated key still verifies old ones.
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(String(128))
    public_key: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_checkpoint_seq", "seq"),)
