"""The budget of a case against the organisation's package rules (settings
``HOMEWARD_ASSISTANCE_*``, see :mod:`casework.assistance.services` for the rules).

Sums are SQL aggregates per status; :func:`reserve` locks the household's case rows first so
that two disbursements recorded at the same moment are checked one after the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask_babel import LazyString, format_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import record
from casework.assistance import money
from casework.assistance.models import Disbursement
from casework.assistance.vocabulary import COUNTED, RESERVED
from casework.models import Case
from casework.services import CaseworkError
from casework.signals import household_cases_asking
from core.security import Actor
from core.settings_sections import CaseworkSettings
from core.signals import collect


@dataclass(frozen=True)
class Limit:
    """One limit of the budget, in minor units of the budget's currency (``limit`` 0: none)."""

    limit: int
    used: int
    reserved: int

    @property
    def remaining(self) -> int | None:
        return None if not self.limit else max(self.limit - self.used - self.reserved, 0)

    def allows(self, amount: int) -> bool:
        return not self.limit or self.used + self.reserved + amount <= self.limit


@dataclass(frozen=True)
class Budget:
    currency: str
    person: Limit
    household: Limit
    household_cases: int
    threshold: int


def household_case_ids(db: Session, case: Case) -> list[uuid.UUID]:
    """The case ids of the case's household (its own included), or the case alone."""
    ids = {case.id}
    for answer in collect(household_cases_asking, case, list, session=db):
        ids.update(uuid.UUID(str(i)) for i in answer)
    return sorted(ids, key=str)


def _sums(db: Session, case_ids: list[uuid.UUID], currency: str) -> tuple[int, int]:
    """Used and reserved minor units of ``currency`` over these cases (one SQL aggregate)."""
    status_sum = func.coalesce(func.sum(Disbursement.amount_minor), 0)
    rows = dict(
        db.execute(
            select(Disbursement.status, status_sum)
            .where(Disbursement.case_id.in_(case_ids), Disbursement.currency == currency)
            .group_by(Disbursement.status)
        ).all()
    )
    used = sum(int(rows.get(s, 0)) for s in COUNTED)
    reserved = sum(int(rows.get(s, 0)) for s in RESERVED)
    return used, reserved


def budget(db: Session, case: Case, settings: CaseworkSettings) -> Budget:
    """The case's budget now: used, reserved and remaining against both limits."""
    currency = settings.assistance_currency
    household = household_case_ids(db, case)
    person_used, person_reserved = _sums(db, [case.id], currency)
    # Without a household the household's sums are the person's (not asked twice).
    alone = household == [case.id]
    home_used, home_reserved = (
        (person_used, person_reserved) if alone else _sums(db, household, currency)
    )
    return Budget(
        currency=currency,
        person=Limit(
            money.whole(settings.assistance_max_per_person, currency), person_used, person_reserved
        ),
        household=Limit(
            money.whole(settings.assistance_max_per_household, currency), home_used, home_reserved
        ),
        household_cases=len(household),
        threshold=money.whole(settings.assistance_approval_threshold, currency),
    )


def _lock_household(db: Session, case_ids: list[uuid.UUID]) -> None:
    """Lock the household's case rows in id order (on SQLite the ``FOR UPDATE`` takes the one
    write lock, :mod:`core.sqlite_writer`)."""
    db.execute(select(Case.id).where(Case.id.in_(case_ids)).order_by(Case.id).with_for_update())


def _money(minor: int, currency: str) -> LazyString:
    """The amount as the message will show it, formatted in the reader's locale when shown."""
    return LazyString(format_currency, money.from_minor(minor, currency), currency)


def _refuse(db: Session, actor: Actor, case: Case, reason: str, kind: str, currency: str) -> None:
    record(
        db,
        "assistance.refused",
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        outcome="failed",
        details={"reason": reason, "kind": kind, "currency": currency},
    )


def reserve(
    db: Session,
    actor: Actor,
    case: Case,
    kind: str,
    currency: str,
    amount: int,
    settings: CaseworkSettings,
) -> Budget:
    """Lock the household, then check ``amount`` fits both limits (in the budget's currency;
    another currency is not counted). Refused: audited, and CaseworkError on ``amount``."""
    _lock_household(db, household_case_ids(db, case))
    plan = budget(db, case, settings)
    if currency != plan.currency:
        return plan
    if not plan.person.allows(amount):
        _refuse(db, actor, case, "person_limit", kind, currency)
        raise CaseworkError(
            _l(
                "This would exceed the limit per person: %(remaining)s remain of %(limit)s "
                "(delivered and waiting for approval count).",
                remaining=_money(plan.person.remaining or 0, currency),
                limit=_money(plan.person.limit, currency),
            ),
            "amount",
        )
    if not plan.household.allows(amount):
        _refuse(db, actor, case, "household_limit", kind, currency)
        raise CaseworkError(
            _l(
                "This would exceed the limit per household: %(remaining)s remain of %(limit)s "
                "for the %(count)s cases of the household.",
                remaining=_money(plan.household.remaining or 0, currency),
                limit=_money(plan.household.limit, currency),
                count=plan.household_cases,
            ),
            "amount",
        )
    return plan
