"""Safety reads shared with the rest of casework: the banner at the top of the case page, the
marks of the case lists (one query for a whole page) and the case-page panel's context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.queries import user_names
from casework.marks import CaseBanner, CaseMark
from casework.models import Case, Person
from casework.safety import policy, services
from casework.safety.models import CaseFlag, SafetyPlan
from casework.safety.vocabulary import FLAG_KIND, icon
from casework.vocabulary import Stage
from core.clock import utcnow
from core.db import get_session
from core.lists import queries as lists
from core.security import Actor


@dataclass(frozen=True)
class ShownFlag:
    """A flag with its kind's mark (label and icon), for the pages."""

    flag: CaseFlag
    mark: CaseMark


def mark(db: Session, code: str) -> CaseMark:
    return CaseMark(code, lists.label(db, FLAG_KIND, code), icon(code))


def shown(db: Session, found: list[CaseFlag]) -> list[ShownFlag]:
    return [ShownFlag(flag, mark(db, flag.kind)) for flag in found]


def banner(
    case: Case, actor: Actor, emergency: bool = False, **_extra: object
) -> CaseBanner | None:
    """Receiver of ``casework.signals.case_banners_collecting``: the active flags' kinds
    (shown to an emergency reader too: the warnings matter most then; reasons are not)."""
    if case.person.erased_at is not None:
        return None
    if not (emergency or policy.can_view_safety(actor, case)):
        return None
    db = get_session()
    active = services.active_flags(db, case)
    if not active:
        return None
    return CaseBanner("casework/safety/_banner.html", 10, {"flags": shown(db, active)})


def case_marks(
    actor: Actor, session: Session, case_ids: set[uuid.UUID], **_extra: object
) -> dict[uuid.UUID, list[CaseMark]]:
    """Receiver of ``casework.signals.case_marks_collecting``: active flags' kinds."""
    found = marks(session, actor, case_ids)
    return {case_id: [mark(session, code) for code in codes] for case_id, codes in found.items()}


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    today = utcnow().date()
    every = services.flags(db, case)
    active = [f for f in every if f.active_on(today)]
    plan = services.get_plan(db, case)
    people: set[uuid.UUID | None] = {f.raised_by_id for f in active}
    people |= {plan.updated_by_id} if plan else set()
    return {
        "active": shown(db, active),
        "inactive": len(every) - len(active),
        "plan": plan,
        "review_overdue": plan is not None and plan.review_on < today,
        "may_change": policy.can_change_safety(actor, case),
        "names": user_names(db, people),
    }


def _active_clause(today: date) -> Any:
    return (CaseFlag.ended_at.is_(None)) & (
        CaseFlag.expires_on.is_(None) | (CaseFlag.expires_on >= today)
    )


def marks(
    db: Session, actor: Actor, case_ids: set[uuid.UUID], today: date | None = None
) -> dict[uuid.UUID, list[str]]:
    """The kinds of the active flags of each of ``case_ids`` the actor may see: one query."""
    if not case_ids:
        return {}
    rows = db.execute(
        select(CaseFlag.case_id, CaseFlag.kind)
        .where(
            CaseFlag.case_id.in_(case_ids),
            _active_clause(today or utcnow().date()),
            policy.visible_flags(actor),
        )
        .order_by(CaseFlag.case_id, CaseFlag.raised_at)
    ).all()
    found: dict[uuid.UUID, list[str]] = {}
    for case_id, kind in rows:
        kinds = found.setdefault(case_id, [])
        if kind not in kinds:
            kinds.append(kind)
    return found


def flags_waiting(db: Session, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """Active flags raised for the supervisors and not yet seen: the case id and number of
    each (plain columns: the task list needs no more)."""
    if not policy.may_see_flags(actor):
        return []
    rows = db.execute(
        select(CaseFlag.case_id, Case.case_number)
        .join(Case, Case.id == CaseFlag.case_id)
        .where(
            CaseFlag.tell_supervisor.is_(True),
            CaseFlag.seen_at.is_(None),
            _active_clause(utcnow().date()),
            policy.flags_to_see(actor),
        )
        .order_by(CaseFlag.raised_at)
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class ReviewDue:
    case_id: uuid.UUID
    case_number: str
    due: date


def reviews_due(
    db: Session, actor: Actor, within_days: int = 14, today: date | None = None
) -> list[ReviewDue]:
    """Safety plans of the open cases assigned to ``actor`` whose review is overdue or due
    within ``within_days``, soonest first."""
    day = today or utcnow().date()
    rows = db.execute(
        select(Case.id, Case.case_number, SafetyPlan.review_on)
        .join(SafetyPlan, SafetyPlan.case_id == Case.id)
        # A join, not ``person_id IN (SELECT ...)``: SQLite would list every person for that.
        .join(Person, Person.id == Case.person_id)
        .where(
            Case.organisation_id == actor.organisation_id,
            Case.assigned_to_id == actor.user_id,
            Case.stage != Stage.CLOSED.value,
            SafetyPlan.review_on <= day + timedelta(days=within_days),
            Person.erased_at.is_(None),
        )
        .order_by(SafetyPlan.review_on)
    ).all()
    return [ReviewDue(case_id, number, due) for case_id, number, due in rows]
