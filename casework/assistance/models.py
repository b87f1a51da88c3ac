"""Assistance delivered: the disbursements of a case's reintegration package.

A disbursement is a two-person decision (:mod:`core.decisions`) when its amount is above the
organisation's approval threshold: it waits (``pending``) for a supervisor of the organisation
who did not record it. Under the threshold it is ``recorded`` and counts at once.

Amounts are stored as whole minor units of their currency (cents; none for currencies without
them, such as AFN), so sums are exact in SQL. Kind, currency, status and month are codes and
stay plain for the summaries; the note and the return comment are free text about a person,
encrypted under the person's data key. A receipt is a case attachment (sealed like the others);
the disbursement keeps its id.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.crypto import encrypted_column
from core.db import Base
from core.decisions import PendingDecision


class Disbursement(PendingDecision, Base):
    """One delivery of assistance to the person of a case."""

    __tablename__ = "assistance_disbursement"
    __encryption_subject__ = "person_id"
    __table_args__ = (Index("ix_assistance_disbursement_org_status", "organisation_id", "status"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casefile.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(30))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    delivered_on: Mapped[date] = mapped_column()
    #: ``YYYY-MM`` of ``delivered_on``: the summaries group by it in SQL on both databases.
    delivered_month: Mapped[str] = mapped_column(String(7))
    delivered_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    #: The plan action it carries out (casework.planning's id; no foreign key across packages).
    plan_action_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The case attachment holding the receipt (casework.attachments' id).
    receipt_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    note = encrypted_column(str)
    return_comment = encrypted_column(str)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
