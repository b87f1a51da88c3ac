"""Planning reads shared with the rest of casework."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import Case
from casework.planning.models import Plan, PlanReview
from casework.planning.vocabulary import Decision
from casework.statistics import month


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Planning's field of the case's statistical skeleton: the month a plan was first approved."""
    approved = session.scalar(
        select(PlanReview.decided_at)
        .join(Plan, Plan.id == PlanReview.plan_id)
        .where(Plan.case_id == case.id, PlanReview.decision == Decision.APPROVED)
        .order_by(PlanReview.decided_at)
        .limit(1)
    )
    return {"plan_approved_month": month(approved)}
