"""Survey versions (the indicators and weights in force) and monitoring visits.

A survey version is never changed once written: editing weights writes a new version, and each
visit keeps the version it was scored with, so old scores keep their weights. What a visit
found (notes, answers, scores) is encrypted; its date and type stay plain for the task list.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class SurveyVersion(UUIDPrimaryKey, Base):
    """One version of the sustainability survey: indicators, answer values and weights.

    ``definition`` holds codes and numbers only (see casework.monitoring.scoring); labels come
    from the vocabulary so they are translated. ``official`` marks weights an administrator
    entered as calibrated; until then scores are shown as "uncalibrated weights".
    """

    __tablename__ = "survey_version"

    number: Mapped[int] = mapped_column(Integer, unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonitoringVisit(UUIDPrimaryKey, Base):
    """A monitoring visit (append-only), scored with the survey version then in force."""

    __tablename__ = "monitoring_visit"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    survey_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey_version.id"))
    visited_on: Mapped[date] = mapped_column(index=True)
    visit_type: Mapped[str] = mapped_column(String(10))
    notes = encrypted_column(str)
    #: indicator code -> answer code (unanswered indicators absent).
    answers = encrypted_column(dict)
    #: dimension code (and "composite") -> score 0..1 or None.
    scores = encrypted_column(dict)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey_version: Mapped[SurveyVersion] = relationship()
