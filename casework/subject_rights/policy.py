"""Who may exercise a person's rights for them: supervisors of an organisation holding one of
the person's cases (reached through that case)."""

from __future__ import annotations

from casework.models import Case
from core.permissions import Permission
from core.security import Actor, deny


def may_act_for_person(actor: Actor, case: Case, permission: Permission) -> bool:
    return actor.can(permission) and case.organisation_id == actor.organisation_id


def authorize(actor: Actor, case: Case, permission: Permission) -> None:
    """403 (audited) unless the actor is a supervisor of the case's organisation."""
    if not may_act_for_person(actor, case, permission):
        deny(
            permission,
            "not_in_scope",
            object_type="person",
            object_id=case.person_id,
            case_id=case.id,
        )
