"""Planning reads shared with the rest of casework."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.queries import case_event_details
from auth.models import User
from auth.queries import user_names
from casework.models import Case
from casework.planning.models import Plan, PlanAction, PlanReview
from casework.planning.vocabulary import ActionStatus, Decision
from casework.queries import case_team
from casework.statistics import days_since, month


def skeleton_part(case: Case, session: Session, **_extra: Any) -> dict[str, Any]:
    """Planning's fields of the case's statistical skeleton: the month a plan was first
    approved and the days from registration to it; the plan's actions (``action_facts``)."""
    approved = session.scalar(
        select(PlanReview.decided_at)
        .join(Plan, Plan.id == PlanReview.plan_id)
        .where(Plan.case_id == case.id, PlanReview.decision == Decision.APPROVED)
        .order_by(PlanReview.decided_at)
        .limit(1)
    )
    return {
        "plan_approved_month": month(approved),
        "days_to_plan": days_since(case.opened_at, approved),
        "action_facts": action_facts(session, case),
    }


def _done_times(session: Session, case: Case) -> dict[str, datetime]:
    """When each action was last marked done through its status (the audit log's
    ``plan.action_status_changed`` to ``done``: the status change is a conditional UPDATE
    whose time only the log keeps; ``updated_at`` moves with later edits too)."""
    found: dict[str, datetime] = {}
    for occurred_at, details in case_event_details(session, case.id, "plan.action_status_changed"):
        if details.get("to") == ActionStatus.DONE.value:
            found[str(details.get("action_id"))] = occurred_at
    return found


def _on_time(action: PlanAction, done_at: datetime | None) -> bool | None:
    if action.status != ActionStatus.DONE.value:
        return None
    when: date = (done_at or action.updated_at).date()
    return when <= action.due_on


def action_facts(session: Session, case: Case) -> list[dict[str, Any]]:
    """The case's plan actions in the order they were added: dimension, month due, and
    whether each was done by its due date (None while it is not done).

    An action is done when its status is ``done``; it was done when its status was last set
    to done (:func:`_done_times`), or, when set through the action's form, at its last change
    (``updated_at``). On time: done on or before ``due_on``.
    """
    actions = list(
        session.scalars(
            select(PlanAction)
            .join(Plan, Plan.id == PlanAction.plan_id)
            .where(Plan.case_id == case.id)
            .order_by(PlanAction.created_at, PlanAction.id)
        )
    )
    if not actions:
        return []
    done = (
        _done_times(session, case)
        if any(a.status == ActionStatus.DONE.value for a in actions)
        else {}
    )
    return [
        {
            "ordinal": n,
            "dimension": action.dimension,
            "due_month": month(action.due_on),
            "done_on_time": _on_time(action, done.get(str(action.id))),
        }
        for n, action in enumerate(actions, start=1)
    ]


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
