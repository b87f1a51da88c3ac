"""Closure requests and reopenings of a case.

A closure request is pending until a supervisor of the case's organisation who did not ask for
it approves it (the case moves to closed) or returns it with a comment. A reopening moves a
closed case back to assessment. Summary, comment and reason are free text, so encrypted under
the person's data key.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey
from core.decisions import PendingDecision, one_pending_index


class CaseClosure(PendingDecision, Base):
    """A two-person decision (:mod:`core.decisions`) about closing one case."""

    __tablename__ = "case_closure"
    __encryption_subject__ = "person_id"
    __table_args__ = (one_pending_index("uq_case_closure_pending", "case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(String(30))
    summary = encrypted_column(str, nullable=False)
    return_comment = encrypted_column(str)


class CaseReopening(UUIDPrimaryKey, Base):
    __tablename__ = "case_reopening"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    reason = encrypted_column(str, nullable=False)
    reopened_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    reopened_at: Mapped[datetime] = mapped_column(default=utcnow)
