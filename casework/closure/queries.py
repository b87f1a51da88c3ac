"""Closure reads shared with the rest of casework (through ``casework.signals``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.closure.models import CaseClosure, CaseReopening
from casework.closure.vocabulary import ClosureStatus
from casework.models import Case
from casework.statistics import month


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Closure's fields of the case's statistical skeleton: month and reason of the closure,
    and how many times the case was reopened."""
    closure = session.execute(
        select(CaseClosure.decided_at, CaseClosure.reason)
        .where(CaseClosure.case_id == case.id, CaseClosure.status == ClosureStatus.APPROVED)
        .order_by(CaseClosure.decided_at.desc())
        .limit(1)
    ).first()
    reopenings = session.scalar(
        select(func.count()).select_from(CaseReopening).where(CaseReopening.case_id == case.id)
    )
    return {
        "closed_month": month(closure.decided_at) if closure else None,
        "closure_reason": closure.reason if closure else None,
        "reopenings": int(reopenings or 0),
    }


def closing_dates(
    _sender: object,
    session: Session,
    case_ids: Collection[uuid.UUID] | None = None,
    **_extra: Any,
) -> dict[uuid.UUID, datetime | None]:
    """When each case (of ``case_ids``; every case when None) was last closed (its latest
    approved closure), for retention."""
    statement = select(CaseClosure.case_id, func.max(CaseClosure.decided_at)).where(
        CaseClosure.status == ClosureStatus.APPROVED
    )
    if case_ids is not None:
        statement = statement.where(CaseClosure.case_id.in_(list(case_ids)))
    return dict(session.execute(statement.group_by(CaseClosure.case_id)).all())
