"""Who may see, record and decide assistance. Each rule sits beside its SQL twin.

- Seeing a case's disbursements follows the case (:func:`casework.policy.can_view_case`).
- Recording one: someone who may edit the case, of the case's organisation (the organisation
  pays from its own package).
- Deciding one: the four-eyes rule (:func:`core.decisions.second_person`): a supervisor of the
  organisation that recorded it, never the person who recorded it.
- The organisation's summary: its supervisors, over its own disbursements only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select

from casework import policy as case_policy
from casework.assistance.models import Disbursement
from casework.models import Case
from core import decisions
from core.permissions import Permission
from core.security import Actor, deny


def can_view(actor: Actor, case: Case, disbursement: Disbursement) -> bool:
    """The actor may see this disbursement of this case."""
    return disbursement.case_id == case.id and case_policy.can_view_case(actor, case)


def authorize_view(actor: Actor, case: Case, disbursement: Disbursement) -> None:
    """403 (audited) unless :func:`can_view` (an emergency grant opens the case, not this)."""
    if not can_view(actor, case, disbursement):
        deny(
            Permission.CASE_VIEW,
            "not_in_scope",
            object_type="assistance_disbursement",
            object_id=disbursement.id,
            case_id=case.id,
        )


def visible_disbursements(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_view`: disbursements of the cases the actor may open."""
    return Disbursement.case_id.in_(
        select(Case.id).where(case_policy.visible_cases(actor)).correlate_except(Case)
    )


def can_record(actor: Actor, case: Case) -> bool:
    """The actor may record assistance for this case."""
    return case_policy.can_edit_case(actor, case) and actor.organisation_id == case.organisation_id


def recordable_cases(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_record`: the cases the actor may record assistance for."""
    if not actor.can(Permission.CASE_EDIT) or actor.organisation_id is None:
        return false()
    return and_(case_policy.visible_cases(actor), Case.organisation_id == actor.organisation_id)


def authorize_record(actor: Actor, case: Case) -> None:
    """403 (audited) unless :func:`can_record`."""
    if not can_record(actor, case):
        case_policy.deny_case(Permission.CASE_EDIT, case)


def may_decide(actor: Actor, case: Case, disbursement: Disbursement) -> bool:
    """A supervisor of the recording organisation (still the case's) who did not record it."""
    return (
        decisions.second_person(
            actor,
            Permission.CASE_APPROVE,
            disbursement.organisation_id,
            disbursement.requested_by_id,
        )
        and case.organisation_id == disbursement.organisation_id
        and disbursement.case_id == case.id
    )


def may_decide_any(actor: Actor) -> bool:
    """Whether any pending disbursement may be this actor's to decide (when not,
    :func:`waiting_for` finds none)."""
    return decisions.may_decide_any(actor, Permission.CASE_APPROVE)


def waiting_for(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`may_decide`: pending disbursements this actor may decide."""
    return and_(
        decisions.waiting_for(actor, Permission.CASE_APPROVE, Disbursement),
        Disbursement.case_id.in_(
            select(Case.id)
            .where(Case.organisation_id == Disbursement.organisation_id)
            .correlate_except(Case)
        ),
    )


def authorize_decision(actor: Actor, case: Case, disbursement: Disbursement) -> None:
    """403 (audited, with why) unless :func:`may_decide`."""
    if may_decide(actor, case, disbursement):
        return
    reason = "own_request" if actor.user_id == disbursement.requested_by_id else "not_in_scope"
    deny(
        Permission.CASE_APPROVE,
        reason,
        object_type="assistance_disbursement",
        object_id=disbursement.id,
        case_id=case.id,
    )


def can_view_summary(actor: Actor) -> bool:
    """Supervisors see their organisation's assistance summary."""
    return actor.can(Permission.CASE_APPROVE) and actor.organisation_id is not None


def authorize_summary(actor: Actor) -> None:
    """403 (audited, as every refusal is) unless :func:`can_view_summary`."""
    if not can_view_summary(actor):
        deny(Permission.CASE_APPROVE, "not_in_scope", object_type="organisation")


def summarised(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`can_view_summary`: the disbursements its figures add up."""
    if not can_view_summary(actor):
        return false()
    return Disbursement.organisation_id == actor.organisation_id
