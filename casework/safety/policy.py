"""Who sees and changes a case's flags and safety plan. Deny by default.

The case team of the case's organisation (as :func:`casework.policy.can_view_case` has it)
reads flags, their reasons and the safety plan, and changes them with the edit permission;
supervisors of the case's organisation mark a flag seen. Provider staff, auditors and
administrators never see a flag or its reason: not on the case (they cannot open it) nor on a
referral (no flag reaches the provider).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select

from casework import policy
from casework.models import Case
from casework.safety.models import CaseFlag
from core.decisions import second_person
from core.permissions import Permission
from core.security import Actor, deny

#: Flags (with reasons) and the safety plan are the case team's, as the case itself is:
#: an emergency reader loads the case but reads no reason and no plan (the banner shows the
#: kinds only), which :func:`casework.policy.can_view_case` already says.
can_view_safety = policy.can_view_case
authorize_view_safety = policy.authorize_view_case
#: Raise or end a flag, write the safety plan.
can_change_safety = policy.can_edit_case
authorize_change = policy.authorize_edit_case


def visible_flags(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_view_safety` for flags."""
    return policy.in_visible_case(actor, CaseFlag.case_id)


def can_mark_seen(actor: Actor, case: Case, flag: CaseFlag) -> bool:
    """A supervisor of the case's organisation, other than the one who raised the flag, marks
    it seen (ends its task): the four-eyes rule of :func:`core.decisions.second_person`."""
    return second_person(actor, Permission.CASE_APPROVE, case.organisation_id, flag.raised_by_id)


def may_see_flags(actor: Actor) -> bool:
    """Whether any flag may be the actor's to mark seen (when not, :func:`flags_to_see` is
    SQL's false, and the list of flags waiting need not ask the database)."""
    return actor.can(Permission.CASE_APPROVE) and actor.organisation_id is not None


def flags_to_see(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_mark_seen`."""
    if not may_see_flags(actor):
        return false()
    return and_(
        CaseFlag.case_id.in_(select(Case.id).where(Case.organisation_id == actor.organisation_id)),
        CaseFlag.raised_by_id != actor.user_id,
    )


def authorize_mark_seen(actor: Actor, case: Case, flag: CaseFlag) -> None:
    if not can_mark_seen(actor, case, flag):
        deny(
            Permission.CASE_APPROVE,
            "not_in_scope",
            object_type="case_flag",
            object_id=flag.id,
            case_id=case.id,
        )
