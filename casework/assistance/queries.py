"""Summaries of assistance: a case's (its panel) and an organisation's (the supervisors' page).

Every total is a SQL aggregate over ``assistance_disbursement`` (grouped by kind, month,
currency and status), never a loop over cases in Python. Amounts are summed per currency:
amounts in different currencies are never added together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from casework.assistance import money, policy
from casework.assistance.models import Disbursement
from casework.assistance.vocabulary import COUNTED, RESERVED
from casework.models import Case
from core.security import Actor


@dataclass(frozen=True)
class Total:
    """One line of a summary: a group (kind or month), its currency, the counted amount (minor
    units), the number of disbursements and, for the organisation, of people."""

    group: str
    currency: str
    amount_minor: int
    count: int
    people: int = 0

    @property
    def amount(self) -> object:
        return money.from_minor(self.amount_minor, self.currency)


def _totals(
    db: Session, group: InstrumentedAttribute[str], where: list[ColumnElement[bool]]
) -> list[Total]:
    rows = db.execute(
        select(
            group,
            Disbursement.currency,
            func.sum(Disbursement.amount_minor),
            func.count(Disbursement.id),
            func.count(func.distinct(Disbursement.person_id)),
        )
        .where(*where)
        .group_by(group, Disbursement.currency)
        .order_by(group, Disbursement.currency)
    ).all()
    return [Total(str(g), c, int(a or 0), int(n), int(p)) for g, c, a, n, p in rows]


def case_totals(db: Session, case: Case, *, pending: bool = False) -> list[Total]:
    """Counted (or, with ``pending``, reserved) totals of the case by kind and currency."""
    statuses = RESERVED if pending else COUNTED
    return _totals(
        db,
        Disbursement.kind,
        [Disbursement.case_id == case.id, Disbursement.status.in_(statuses)],
    )


@dataclass(frozen=True)
class OrganisationSummary:
    by_kind: list[Total]
    by_month: list[Total]
    by_currency: list[Total]
    pending: list[Total]
    people: int
    cases: int


def organisation_summary(
    db: Session, actor: Actor, start: date | None = None, end: date | None = None
) -> OrganisationSummary:
    """The organisation's counted assistance (optionally between two delivery dates)."""
    where: list[ColumnElement[bool]] = [policy.summarised(actor)]
    if start is not None:
        where.append(Disbursement.delivered_on >= start)
    if end is not None:
        where.append(Disbursement.delivered_on <= end)
    counted = [*where, Disbursement.status.in_(COUNTED)]
    reach = db.execute(
        select(
            func.count(func.distinct(Disbursement.person_id)),
            func.count(func.distinct(Disbursement.case_id)),
        ).where(*counted)
    ).one()
    return OrganisationSummary(
        by_kind=_totals(db, Disbursement.kind, counted),
        by_month=_totals(db, Disbursement.delivered_month, counted),
        by_currency=_totals(db, Disbursement.currency, counted),
        pending=_totals(db, Disbursement.kind, [*where, Disbursement.status.in_(RESERVED)]),
        people=int(reach[0] or 0),
        cases=int(reach[1] or 0),
    )
