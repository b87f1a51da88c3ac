"""Households: people who returned together, each member linked by their person.

A household belongs to the organisation that recorded it. A member row links one person (and
through them their cases in that organisation) with a coded relationship; the free-text detail
of the relationship ("maternal uncle") is encrypted under the member's own data key. Erasing a
member destroys that key and clears the row's plain values (:mod:`casework.erasure` reaches the
row through its ``person_id``): the link stays, so the others see "a household member whose
data was erased", and nothing of the erased person can be read from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey


class Household(UUIDPrimaryKey, Base):
    """A household; ``version`` guards every change of its membership (optimistic locking)."""

    __tablename__ = "household"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", order_by="HouseholdMember.added_at"
    )

    __mapper_args__ = {"version_id_col": version}


class HouseholdMember(UUIDPrimaryKey, Base):
    """One person in one household (a person is in one household at most)."""

    __tablename__ = "household_member"
    __encryption_subject__ = "person_id"

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), unique=True)
    #: A ``Relationship`` code; emptied when the member is erased.
    role: Mapped[str] = mapped_column(String(20))
    role_detail = encrypted_column(str)
    added_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    household: Mapped[Household] = relationship(back_populates="members")
