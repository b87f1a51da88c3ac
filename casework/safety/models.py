"""Case flags and the safety plan of a case.

A flag's reason, its ending reason and everything in the safety plan are about the person, so
encrypted under the person's data key (crypto-shredded at erasure); the kind, the dates and who
raised or ended it stay plain so the case lists read active flags in one query without
decrypting anything. Flags are never statistics: the skeleton keeps nothing of them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class CaseFlag(UUIDPrimaryKey, Base):
    """One warning on a case. Active while not ended and not past its expiry date; ended and
    expired flags stay as the case's flag history."""

    __tablename__ = "case_flag"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(30))
    reason = encrypted_column(str, nullable=False)
    #: The last day the flag is in force (None: until ended).
    expires_on: Mapped[date | None]
    raised_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The raiser asked to tell the supervisors (e-mail and a task until one has seen it).
    tell_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    seen_at: Mapped[datetime | None]
    ended_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None]
    end_reason = encrypted_column(str)

    def active_on(self, day: date) -> bool:
        return self.ended_at is None and (self.expires_on is None or self.expires_on >= day)


class SafetyPlan(UUIDPrimaryKey, Base):
    """The safety plan of a case (one per case), with optimistic locking; each save also
    leaves a :class:`SafetyPlanRevision`."""

    __tablename__ = "safety_plan"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), unique=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    risks = encrypted_column(str, nullable=False)
    measures = encrypted_column(str, nullable=False)
    emergency_contacts = encrypted_column(str)
    review_on: Mapped[date]
    updated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SafetyPlanRevision(UUIDPrimaryKey, Base):
    """The plan as one save left it (the history of the plan's versions)."""

    __tablename__ = "safety_plan_revision"
    __encryption_subject__ = "person_id"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("safety_plan.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    number: Mapped[int] = mapped_column(Integer)
    risks = encrypted_column(str, nullable=False)
    measures = encrypted_column(str, nullable=False)
    emergency_contacts = encrypted_column(str)
    review_on: Mapped[date]
    saved_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
