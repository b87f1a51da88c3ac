"""An attachment of a case: the file's bytes, name and description are all encrypted.

The sealed bytes live in the database (``sealed_content``) so they are backed up, restored and
crypto-shredded with the rest of the case. Only the type detected from the content and the
size are plain; no hash of the plaintext is kept, as it would fingerprint personal data.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey

#: The purpose a file is sealed under (its ciphertext is bound to it and to the row id).
BLOB_PURPOSE = "case_attachment"


class CaseAttachment(UUIDPrimaryKey, Base):
    """A file attached to a case; never edited (a later erasure crypto-shreds it)."""

    __tablename__ = "case_attachment"
    __encryption_subject__ = "person_id"
    __table_args__ = (Index("ix_case_attachment_case_created", "case_id", "created_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    file_name = encrypted_column(str, nullable=False)
    description = encrypted_column(str)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    # Deferred: lists of attachments never load the files themselves.
    sealed_content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
