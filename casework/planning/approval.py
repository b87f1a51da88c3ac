"""Submitting the reintegration plan for approval, and a supervisor's decision on it.

The first approval moves the case planning -> implementation (through
:func:`casework.stages.advance`). Services flush only; the request commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from audit import record
from casework import stages
from casework.models import Case
from casework.planning import policy
from casework.planning.assessments import clean, require_open
from casework.planning.models import Plan, PlanReview
from casework.planning.services import check_version, flush_plan
from casework.planning.vocabulary import SUBMITTABLE, Decision, PlanStatus
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.clock import utcnow
from core.security import Actor


def submit_plan(db: Session, actor: Actor, case: Case, plan: Plan, loaded_version: int) -> None:
    """Ask a supervisor of the organisation to approve the plan as it is now."""
    require_open(case)
    check_version(plan, loaded_version, {})
    if PlanStatus(plan.status) not in SUBMITTABLE:
        raise CaseworkError(
            "The plan is approved or already waiting for approval: there is nothing to submit."
        )
    if not plan.actions:
        raise CaseworkError("Add at least one action before submitting the plan.")
    now = utcnow()
    plan.status = PlanStatus.SUBMITTED.value
    plan.submitted_by_id = actor.user_id
    plan.submitted_at = now
    plan.updated_at = now
    review = PlanReview(
        id=uuid.uuid4(),
        person_id=case.person_id,
        submitted_by_id=actor.user_id,
        submitted_at=now,
        action_count=len(plan.actions),
        decision=Decision.PENDING.value,
    )
    plan.reviews.append(review)
    flush_plan(db, plan)
    record(
        db,
        "plan.submitted",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"review_id": str(review.id), "actions": review.action_count},
    )


def pending_review(plan: Plan) -> PlanReview | None:
    return next((r for r in plan.reviews if r.decision == Decision.PENDING.value), None)


def decide(
    db: Session,
    actor: Actor,
    case: Case,
    plan: Plan,
    *,
    approve: bool,
    comment: str | None,
    loaded_version: int,
) -> PlanReview:
    """Approve the submitted plan or return it with a comment.

    Raises CaseworkError for a decider the policy refuses (the route has refused and audited
    it already), EditConflict when the plan changed since the reviewer loaded it.
    """
    review = _review_to_decide(actor, case, plan, loaded_version)
    comment = clean(comment)
    if not approve and comment is None:
        raise CaseworkError("Say what needs to change before the plan can be approved.", "comment")
    _apply_decision(actor, plan, review, approve=approve, comment=comment)
    flush_plan(db, plan)
    record(
        db,
        "plan.approved" if approve else "plan.returned",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        case_id=case.id,
        details={"review_id": str(review.id), "comment": comment is not None},
    )
    if approve:
        stages.advance(
            db,
            case,
            Stage.IMPLEMENTATION,
            actor=actor,
            operation="plan_approved",
            from_stages={Stage.PLANNING},
        )
    return review


def _review_to_decide(actor: Actor, case: Case, plan: Plan, loaded_version: int) -> PlanReview:
    """The pending review, once the policy, the version and the plan's status allow a decision."""
    refusal = policy.decision_refusal(actor, case, plan)
    if refusal is not None:
        raise CaseworkError("You may not decide on this plan.")
    check_version(plan, loaded_version, {})
    review = pending_review(plan)
    if plan.status != PlanStatus.SUBMITTED.value or review is None:
        raise CaseworkError("The plan is not waiting for approval.")
    return review


def _apply_decision(
    actor: Actor, plan: Plan, review: PlanReview, *, approve: bool, comment: str | None
) -> None:
    """Write the decision on the review and the plan (an approval clears the editors)."""
    now = utcnow()
    review.decision = (Decision.APPROVED if approve else Decision.RETURNED).value
    review.decided_by_id = actor.user_id
    review.decided_at = now
    review.comment = comment
    plan.updated_at = now
    if approve:
        plan.status = PlanStatus.APPROVED.value
        plan.approved_at = now
        plan.editors = []
    else:
        plan.status = PlanStatus.RETURNED.value
