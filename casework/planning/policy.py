"""Who may decide on a plan: a supervisor of the case's organisation who neither submitted
it nor changed it since its last approval (no self-approval). Deny by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.models import Case
from core.permissions import Permission
from core.security import Actor, deny

if TYPE_CHECKING:
    from casework.planning.models import Plan


def decision_refusal(actor: Actor, case: Case, plan: Plan) -> str | None:
    """Why ``actor`` may not approve or return ``plan`` (an audit reason code), or None."""
    if not actor.can(Permission.CASE_APPROVE):
        return "role"
    if actor.organisation_id is None or actor.organisation_id != case.organisation_id:
        return "other_organisation"
    if plan.submitted_by_id == actor.user_id:
        return "self_approval"
    if actor.user_id in plan.editor_ids:
        return "edited_since_approval"
    return None


def may_decide(actor: Actor, case: Case, plan: Plan) -> bool:
    return decision_refusal(actor, case, plan) is None


def authorize_decision(actor: Actor, case: Case, plan: Plan) -> None:
    """403 (audited with the reason) unless the actor may decide on the plan."""
    reason = decision_refusal(actor, case, plan)
    if reason is not None:
        deny(
            Permission.CASE_APPROVE,
            reason,
            object_type="plan",
            object_id=plan.id,
            case_id=case.id,
        )
