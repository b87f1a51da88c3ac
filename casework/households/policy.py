"""Who sees a household and its members, each rule beside its SQL twin.

A household is seen from a case: the actor may open at least one case of its members, and
the household belongs to the actor's organisation. Within it, a member's name and case are
shown only to those who may open one of that member's cases (:func:`casework.policy.can_view_case`);
everyone else sees that there is a member, with the relationship, and nothing that names them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, false, select

from casework.households.models import Household, HouseholdMember
from casework.models import Case
from casework.policy import can_view_case, visible_cases
from core.permissions import Permission
from core.security import Actor


def can_view_household(actor: Actor, household: Household, member_cases: Iterable[Case]) -> bool:
    """``member_cases``: the cases of the household's members (any organisation)."""
    if not actor.can(Permission.CASE_VIEW) or household.organisation_id != actor.organisation_id:
        return False
    return any(can_view_case(actor, case) for case in member_cases)


def visible_households(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition matching exactly the households :func:`can_view_household` allows."""
    if not actor.can(Permission.CASE_VIEW) or actor.organisation_id is None:
        return false()
    opened = (
        select(HouseholdMember.household_id)
        .join(Case, Case.person_id == HouseholdMember.person_id)
        .where(visible_cases(actor))
    )
    return and_(Household.organisation_id == actor.organisation_id, Household.id.in_(opened))


def openable_case(actor: Actor, member_cases: Iterable[Case]) -> Case | None:
    """The member's case the actor may open (the newest first), or None: then the member is
    shown without anything that names them."""
    ordered = sorted(member_cases, key=lambda c: c.opened_at, reverse=True)
    return next((c for c in ordered if can_view_case(actor, c)), None)


def visible_members(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of :func:`openable_case` being set: members the actor may see named."""
    return HouseholdMember.person_id.in_(select(Case.person_id).where(visible_cases(actor)))
