"""Needs assessments (append-only) and the reintegration plan of a case.

What the person needs, can build on and is at risk of, what each action is and the review
comments are encrypted under the person's data key. Risk levels, dimensions, statuses, due
dates and who is responsible (a staff account) stay plain: the task list, the case list and
statistics read them without decrypting anything.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.planning.vocabulary import Dimension
from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class Assessment(UUIDPrimaryKey, Base):
    """One needs and vulnerability assessment; a reassessment is a new row (history kept)."""

    __tablename__ = "needs_assessment"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    assessed_on: Mapped[date] = mapped_column()
    economic_needs = encrypted_column(str)
    economic_strengths = encrypted_column(str)
    economic_risks = encrypted_column(str)
    economic_risk_level: Mapped[str] = mapped_column(String(10))
    social_needs = encrypted_column(str)
    social_strengths = encrypted_column(str)
    social_risks = encrypted_column(str)
    social_risk_level: Mapped[str] = mapped_column(String(10))
    psychosocial_needs = encrypted_column(str)
    psychosocial_strengths = encrypted_column(str)
    psychosocial_risks = encrypted_column(str)
    psychosocial_risk_level: Mapped[str] = mapped_column(String(10))
    overall_risk_level: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def dimension(self, dimension: Dimension) -> dict[str, str | None]:
        """Needs, strengths, risks and risk level of one dimension (for the pages)."""
        prefix = dimension.value
        return {
            "needs": getattr(self, f"{prefix}_needs"),
            "strengths": getattr(self, f"{prefix}_strengths"),
            "risks": getattr(self, f"{prefix}_risks"),
            "risk_level": getattr(self, f"{prefix}_risk_level"),
        }


class Plan(UUIDPrimaryKey, Base):
    """The reintegration plan of a case (one per case), with optimistic locking.

    Every change of an action touches the plan row, so its version moves and a stale form or
    approval is refused (409).
    """

    __tablename__ = "reintegration_plan"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    #: When the plan was last approved (None: never approved; the "plan due" task reads it).
    approved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="[PlanAction.dimension, PlanAction.due_on, PlanAction.created_at]",
    )
    editors: Mapped[list[PlanEditor]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[PlanReview]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="PlanReview.submitted_at.desc()",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def editor_ids(self) -> set[uuid.UUID]:
        return {e.user_id for e in self.editors}

    def actions_in(self, dimension: Dimension | str) -> list[PlanAction]:
        return [a for a in self.actions if a.dimension == str(dimension)]


class PlanAction(UUIDPrimaryKey, Base):
    """One action of the plan: what, who is responsible, by when, and how far it got."""

    __tablename__ = "plan_action"
    __encryption_subject__ = "person_id"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reintegration_plan.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    dimension: Mapped[str] = mapped_column(String(20))
    description = encrypted_column(str, nullable=False)
    #: A staff account of the case's organisation, or None with ``responsible_other`` set.
    responsible_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    responsible_other = encrypted_column(str)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20))
    #: The referral that carries this action out; Referrals fills it (no foreign key, so
    #: casework does not depend on the referrals tables).
    referral_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="actions")


class PlanEditor(Base):
    """Someone who changed the plan since its last approval (may not approve it)."""

    __tablename__ = "plan_editor"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reintegration_plan.id"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)

    plan: Mapped[Plan] = relationship(back_populates="editors")


class PlanReview(UUIDPrimaryKey, Base):
    """One submission of the plan for approval and the supervisor's decision on it."""

    __tablename__ = "plan_review"
    __encryption_subject__ = "person_id"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reintegration_plan.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    submitted_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    action_count: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    comment = encrypted_column(str)

    plan: Mapped[Plan] = relationship(back_populates="reviews")
