"""Tables of the crypto layer: wrapped data keys and blind-index entries."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base


class DataKey(Base):
    """One subject's (person's) data key, stored only wrapped by a master key version.

    ``destroyed_at`` set means crypto-shredded: ``wrapped_key`` was overwritten and nothing
    encrypted under this key can be read again.
    """

    __tablename__ = "data_key"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subject_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    master_version: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rewrapped_at: Mapped[datetime | None]
    destroyed_at: Mapped[datetime | None]


class BlindIndexEntry(Base):
    """One truncated keyed hash of one normalised term of one encrypted value.

    ``source_row_id`` and ``source_column`` say which encrypted value produced the entry, so
    changing a value replaces exactly its entries (name-pair entries, which span every name
    value of a row, are kept under the pseudo column ``<table>.name_pair``). ``value`` holds
    ``bits`` bits (see :mod:`core.crypto.blind_index`), so each value is shared by several
    subjects.
    """

    __tablename__ = "blind_index"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[uuid.UUID]
    source_row_id: Mapped[uuid.UUID]
    source_column: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        # Covering: a search reads subject ids from the index alone, no table row per match.
        Index("ix_blind_index_field_value", "field", "value", "subject_id"),
        Index("ix_blind_index_source", "source_row_id", "source_column"),
        # By subject: erasure deletes a subject's entries; a name-pair search checks each of
        # its few candidates' single-token entries from the index alone (core.crypto.name_pairs).
        Index("ix_blind_index_subject_field_value", "subject_id", "field", "value"),
    )
