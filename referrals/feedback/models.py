"""What the feedback survey stores: one row per survey.

A survey is about one referral (``occasion`` "referral", one per referral and respondent) or
about the whole support at closure (``occasion`` "closure", one per case). The answers are
codes and a score, plain so the provider figures count them in SQL; the comment is the
person's own words, encrypted under the person's data key. Surveys are never edited: a wrong
one stays as recorded (as every answer the person gave does).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class PersonFeedback(UUIDPrimaryKey, Base):
    """The person's answers to the satisfaction survey (or that they declined it)."""

    __tablename__ = "person_feedback"
    __encryption_subject__ = "person_id"
    __table_args__ = (
        UniqueConstraint("referral_id", "respondent", name="uq_person_feedback_referral"),
        Index(
            "uq_person_feedback_closure",
            "case_id",
            unique=True,
            sqlite_where=text("occasion = 'closure'"),
            postgresql_where=text("occasion = 'closure'"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    #: The referral asked about; None at closure.
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referral.id"), index=True)
    #: One of :class:`referrals.feedback.vocabulary.Occasion`.
    occasion: Mapped[str] = mapped_column(String(10))
    #: One of :class:`referrals.feedback.vocabulary.Respondent`.
    respondent: Mapped[str] = mapped_column(String(30))
    #: The person declined the whole survey: no answers then.
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Each one of :class:`referrals.feedback.vocabulary.Answer` (None when declined).
    respect: Mapped[str | None] = mapped_column(String(10))
    needs_met: Mapped[str | None] = mapped_column(String(10))
    easy_to_reach: Mapped[str | None] = mapped_column(String(10))
    recommend: Mapped[str | None] = mapped_column(String(10))
    #: 1 (very poor) to 5 (very good); None when the person did not give one.
    overall: Mapped[int | None] = mapped_column(Integer)
    comment = encrypted_column(str)
    recorded_on: Mapped[date] = mapped_column()
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    #: The recorder's organisation (the case's, or the provider's).
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
