"""Who may see and change which case.

A caseworker works the cases of their organisation assigned to them; a supervisor every case
of their organisation (an assignment never reaches across organisations: a caseworker moved
elsewhere keeps nothing of the old one); nobody else opens a case page (provider staff see
referrals only, auditors the log only, administrators no case data at all).
"""

from __future__ import annotations

from typing import Any, NoReturn

from sqlalchemy import ColumnElement, and_, false, select

from casework.models import Case
from core.decisions import second_person as second_person  # the four-eyes rule lives there
from core.permissions import Permission, Role
from core.security import Actor, deny


def can_view_case(actor: Actor, case: Case) -> bool:
    if not actor.can(Permission.CASE_VIEW):
        return False
    if actor.role is Role.SUPERVISOR:
        return case.organisation_id == actor.organisation_id
    if actor.role is Role.CASEWORKER:
        return (
            case.organisation_id == actor.organisation_id and case.assigned_to_id == actor.user_id
        )
    return False


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition matching exactly the cases :func:`can_view_case` allows."""
    if not actor.can(Permission.CASE_VIEW):
        return false()
    if actor.role is Role.SUPERVISOR:
        return Case.organisation_id == actor.organisation_id
    if actor.role is Role.CASEWORKER:
        return and_(
            Case.organisation_id == actor.organisation_id, Case.assigned_to_id == actor.user_id
        )
    return false()


def in_visible_case(actor: Actor, case_id: Any) -> ColumnElement[bool]:
    """``case_id`` (a column of the outer query, e.g. ``CaseFlag.case_id``) is a case
    :func:`visible_cases` lets the actor open: the same rows as ``case_id IN (SELECT id of
    the actor's cases)``, asked row by row (``EXISTS`` on the case's key). SQLite builds such
    an ``IN`` list in full before it reads a row: about 2 ms for a caseload of 800, paid by
    every page asking about a few cases."""
    return (
        select(Case.id)
        .where(Case.id == case_id, visible_cases(actor))
        .correlate_except(Case)
        .exists()
    )


def deny_case(permission: Permission, case: Case) -> NoReturn:
    """403, audited as a refusal of ``permission`` on ``case`` (the actor's scope, not role)."""
    deny(permission, "not_in_scope", object_type="case", object_id=case.id, case_id=case.id)


def authorize_view_case(actor: Actor, case: Case) -> None:
    """403 (audited) unless the actor may open this case."""
    if not can_view_case(actor, case):
        deny_case(Permission.CASE_VIEW, case)


def can_edit_case(actor: Actor, case: Case) -> bool:
    """The actor may change this case (record, plan, visit) as :func:`authorize_edit_case` lets."""
    return actor.can(Permission.CASE_EDIT) and can_view_case(actor, case)


def authorize_edit_case(actor: Actor, case: Case) -> None:
    if not (actor.can(Permission.CASE_EDIT) and can_view_case(actor, case)):
        deny_case(Permission.CASE_EDIT, case)


def can_assign(actor: Actor, case: Case) -> bool:
    """Supervisors assign (and transfer) the cases of their own organisation."""
    return actor.can(Permission.CASE_ASSIGN) and case.organisation_id == actor.organisation_id


def authorize_assign(actor: Actor, case: Case) -> None:
    """Refuse (403, audited) unless :func:`can_assign`."""
    if not can_assign(actor, case):
        deny_case(Permission.CASE_ASSIGN, case)
