"""Whose figures a figures page counts.

A supervisor's team page counts their own organisation's cases only: the scope is forced here
from the account, never read from the request. The national page (analysts) counts every
organisation; its filter may narrow that to one.
"""

from __future__ import annotations

import uuid

from core.permissions import Permission
from core.security import Actor, deny


def organisation_scope(actor: Actor, national: bool) -> frozenset[uuid.UUID] | None:
    """The organisations a page may count (None: every one); refuses what the role lacks."""
    if national:
        if not actor.can(Permission.REPORT_NATIONAL):
            deny(Permission.REPORT_NATIONAL, "role")
        return None
    if not actor.can(Permission.REPORT_TEAM) or actor.organisation_id is None:
        deny(Permission.REPORT_TEAM, "organisation")
    return frozenset({actor.organisation_id})
