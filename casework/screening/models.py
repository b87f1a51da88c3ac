"""Trafficking screenings, the trafficking story and recovery and reflection periods of a case
(all append-only).

What the person went through (indicators, means of control, types of exploitation) is
encrypted; the outcome, the deciding organisation type and the dates stay plain because
statistics and the task list need them without decrypting anything.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class Screening(UUIDPrimaryKey, Base):
    __tablename__ = "screening"
    __encryption_subject__ = "person_id"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    screened_on: Mapped[date] = mapped_column()
    indicators = encrypted_column(list)
    means_of_control = encrypted_column(list)
    exploitation_types = encrypted_column(list)
    notes = encrypted_column(str)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    deciding_organisation_type: Mapped[str] = mapped_column(String(30))
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReflectionPeriod(UUIDPrimaryKey, Base):
    """A recovery and reflection period (Council of Europe Convention, Art. 13).

    The newest row of a case is the one in force; earlier rows are its history.
    """

    __tablename__ = "reflection_period"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    starts_on: Mapped[date] = mapped_column()
    days: Mapped[int] = mapped_column(Integer)
    ends_on: Mapped[date] = mapped_column(index=True)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class TraffickingStory(UUIDPrimaryKey, Base):
    """The trafficking story of a case (HTCDS codes, see :mod:`casework.screening.vocabulary`).

    Append-only: each save adds version ``n + 1`` of the case's story, the newest is the one in
    force; the unique (case, version) pair makes two saves from the same version a conflict.
    Everything told is encrypted with the person's key, codes and months included; only its
    coarse codes reach statistics, through the skeleton.
    """

    __tablename__ = "trafficking_story"
    __encryption_subject__ = "person_id"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    version: Mapped[int] = mapped_column(Integer)
    # recruitment
    recruitment_methods = encrypted_column(list)
    recruiter_relation = encrypted_column(str)
    recruited_month = encrypted_column(str)
    # movement: ISO 3166 alpha-2 codes, months as YYYY-MM
    origin_countries = encrypted_column(list)
    transit_countries = encrypted_column(list)
    exploitation_countries = encrypted_column(list)
    departed_month = encrypted_column(str)
    border_crossings = encrypted_column(list)
    # exploitation
    exploitation_types = encrypted_column(list)
    exploitation_sectors = encrypted_column(list)
    exploitation_started_month = encrypted_column(str)
    exploitation_ended_month = encrypted_column(str)
    exploitation_months = encrypted_column(int)
    means_of_control = encrypted_column(list)
    #: Recorded only while a legal basis is in force for the case; never a condition of help.
    cooperation = encrypted_column(str)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
