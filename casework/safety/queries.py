"""Safety reads shared with the rest of casework: the banner at the top of the case page, the
marks of the case lists (one query for a whole page) and the case-page panel's context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from auth.queries import user_names
from casework.marks import CaseBanner, CaseMark
from casework.models import Case
from casework.safety import policy, services
from casework.safety.models import CaseFlag
from casework.safety.vocabulary import FLAG_KIND, icon
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


def banner(case: Case, actor: Actor, **_extra: object) -> CaseBanner | None:
    """Receiver of ``casework.signals.case_banners_collecting``: the active flags."""
    if case.person.erased_at is not None or not policy.can_view_safety(actor, case):
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
    found = services.marks(session, actor, case_ids)
    return {case_id: [mark(session, code) for code in codes] for case_id, codes in found.items()}


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    today = utcnow().date()
    every = services.flags(db, case)
    active = [f for f in every if f.active_on(today)]
    plan = services.get_plan(db, case)
    people = {f.raised_by_id for f in active} | ({plan.updated_by_id} if plan else set())
    return {
        "active": shown(db, active),
        "inactive": len(every) - len(active),
        "plan": plan,
        "review_overdue": plan is not None and plan.review_on < today,
        "may_change": policy.can_change_safety(actor, case),
        "names": user_names(db, people),
    }
