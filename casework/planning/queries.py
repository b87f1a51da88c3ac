"""Planning reads shared with the rest of casework."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import User
from auth.queries import user_names
from casework.models import Case
from casework.planning.models import Plan, PlanAction, PlanReview
from casework.planning.vocabulary import ActionStatus, Decision
from casework.queries import case_team
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


def staff(db: Session, case: Case) -> list[User]:
    """Active staff accounts of the case's organisation who may be responsible for an action."""
    return case_team(db, case.organisation_id)


def action_values(db: Session, action: PlanAction | None) -> dict[str, Any]:
    """What is stored for an action now (the conflict page shows it beside the user's input)."""
    if action is None:
        return {}
    names = user_names(db, {action.responsible_user_id})
    return {
        "dimension": action.dimension,
        "description": action.description,
        "responsible_user": names.get(action.responsible_user_id)
        if action.responsible_user_id
        else None,
        "responsible_other": action.responsible_other,
        "due_on": action.due_on,
        "status": action.status,
    }


def open_actions(case: Case, session: Session, **_extra: Any) -> list[tuple[uuid.UUID, str]]:
    """Receiver of ``casework.signals.plan_actions_asking``: the open actions of the case's
    plan as ``(id, label)``, the label the first line of what the action is."""
    plan = session.scalar(select(Plan).where(Plan.case_id == case.id))
    if plan is None:
        return []
    closed = {ActionStatus.DONE.value, ActionStatus.CANCELLED.value}
    found = []
    for action in plan.actions:
        if action.status in closed:
            continue
        lines = (action.description or "").strip().splitlines()
        what = lines[0] if lines else ""
        found.append((action.id, what if len(what) <= 60 else what[:59] + "…"))
    return found
