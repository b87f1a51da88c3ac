"""Places: the administrative areas cases, addresses and services are coded to.

A place is a country (level 0), a province (level 1, under a country) or a district
(level 2, under a province), each known by its P-code: the code the humanitarian
community's common operational datasets give it (``AF``, ``AF01``, ``AF0101``). Names are
not personal data: the hierarchy is a public reference list, imported from a CSV
(:mod:`core.places.importing`) and never deleted (cases and addresses refer to it by code).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import IntEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, UUIDPrimaryKey


class Level(IntEnum):
    COUNTRY = 0
    PROVINCE = 1
    DISTRICT = 2


class Place(UUIDPrimaryKey, Base):
    """One administrative area. ``names`` holds its name per language (``{"fa": "کابل"}``);
    ``name`` is the name the file gives without a language. ``country_code`` is the ISO 3166
    code of a country whose P-code is one (``AF``), else None."""

    __tablename__ = "place"
    __table_args__ = (CheckConstraint("level IN (0, 1, 2)", name="level"),)

    pcode: Mapped[str] = mapped_column(String(30), unique=True)
    level: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("place.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    country_code: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def label(self, language: str | None) -> str:
        """The name in ``language`` when the file gave one, else the plain name."""
        names = self.names or {}
        if not language or not names:
            return self.name
        base = language.split("_")[0]
        same_language = (name for code, name in sorted(names.items()) if code.split("_")[0] == base)
        return names.get(language) or names.get(base) or next(same_language, self.name)
