"""Who may do what to which case. Object rules arrive with people and cases."""

from __future__ import annotations

from core.permissions import Permission
from core.security import Actor


def may_open_caseload(actor: Actor) -> bool:
    """The case list is for the case team: caseworkers and supervisors."""
    return actor.can(Permission.CASE_VIEW)
