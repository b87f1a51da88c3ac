"""What administrators changed in a list: added entries, labels per language, retirement.

Built-in entries have a row only once an administrator touched them; an added entry always
has one. Labels are administrative vocabulary, never personal data, so they are plain.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base


class ListEntry(Base):
    __tablename__ = "list_entry"

    list_name: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: True for an entry an administrator added (not one of the list's built-in entries).
    added: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Where an added entry is offered among the others (added entries follow the built-in).
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``{locale: label}``, e.g. ``{"en": "Cash for work", "fa_AF": "پول در برابر کار"}``.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))

    __mapper_args__ = {"version_id_col": version}
