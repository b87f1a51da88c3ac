"""Who sees and changes a case's flags and safety plan. Deny by default.

The case team of the case's organisation (as :func:`casework.policy.can_view_case` has it)
reads flags, their reasons and the safety plan, and changes them with the edit permission;
supervisors of the case's organisation mark a flag seen. Provider staff, auditors and
administrators never see a flag or its reason: not on the case (they cannot open it) nor on a
referral (no flag reaches the provider).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from casework import policy
from casework.models import Case
from casework.safety.models import CaseFlag, SafetyPlan
from core.permissions import Permission
from core.security import Actor, deny


def can_view_safety(actor: Actor, case: Case) -> bool:
    """Flags (with reasons) and the safety plan: the case team of the case."""
    return policy.can_view_case(actor, case)


def authorize_view_safety(actor: Actor, case: Case) -> None:
    """403 (audited) unless :func:`can_view_safety`: an emergency reader loads the case but
    reads no flag reason and no safety plan (the banner shows them the kinds only)."""
    if not can_view_safety(actor, case):
        policy.deny_case(Permission.CASE_VIEW, case)


def visible_flags(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_view_safety` for flags."""
    return CaseFlag.case_id.in_(select(Case.id).where(policy.visible_cases(actor)))


def visible_plans(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_view_safety` for safety plans."""
    return SafetyPlan.case_id.in_(select(Case.id).where(policy.visible_cases(actor)))


def can_change_safety(actor: Actor, case: Case) -> bool:
    """Raise or end a flag, write the safety plan."""
    return actor.can(Permission.CASE_EDIT) and can_view_safety(actor, case)


def authorize_change(actor: Actor, case: Case) -> None:
    if not can_change_safety(actor, case):
        policy.deny_case(Permission.CASE_EDIT, case)


def can_mark_seen(actor: Actor, case: Case) -> bool:
    """A supervisor of the case's organisation marks a flag seen (ends its task)."""
    return (
        actor.can(Permission.CASE_APPROVE)
        and actor.organisation_id is not None
        and actor.organisation_id == case.organisation_id
    )


def flags_to_see(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_mark_seen`: flags of the actor's organisation's cases."""
    if not actor.can(Permission.CASE_APPROVE) or actor.organisation_id is None:
        return CaseFlag.id.is_(None)
    return CaseFlag.case_id.in_(
        select(Case.id).where(Case.organisation_id == actor.organisation_id)
    )


def authorize_mark_seen(actor: Actor, case: Case, flag: CaseFlag) -> None:
    if not can_mark_seen(actor, case):
        deny(
            Permission.CASE_APPROVE,
            "not_in_scope",
            object_type="case_flag",
            object_id=flag.id,
            case_id=case.id,
        )
