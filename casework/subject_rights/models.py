"""Records of the data subject's rights: corrections of their data and erasure requests."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey
from core.decisions import PendingDecision, one_pending_index


class PersonCorrection(UUIDPrimaryKey, Base):
    """One changed field of a person's details: the old and new value as shown, who, when, why.

    Kept so the person (and a supervisor) can see what was corrected; the values are encrypted
    under the person's key like the field itself.
    """

    __tablename__ = "person_correction"
    __encryption_subject__ = "person_id"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("casefile.id"))
    field_name: Mapped[str] = mapped_column(String(40))
    old_value = encrypted_column(str)
    new_value = encrypted_column(str)
    reason = encrypted_column(str)
    corrected_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasureRequest(PendingDecision, Base):
    """A supervisor's request to erase a person, waiting for a second supervisor to confirm
    (a two-person decision, :mod:`core.decisions`).

    Holds codes and ids only: nothing here identifies the person once they are erased.
    """

    __tablename__ = "erasure_request"
    __table_args__ = (one_pending_index("uq_erasure_request_pending", "person_id"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"))
    reason: Mapped[str] = mapped_column(String(30))
