"""Extension point: what a plan action's ``referral_id`` points at, shown on the plan page.

Referrals connects to ``casework.signals.plan_action_links_collecting``, so the plan shows
"carried out by referral REF-2026-000123 (accepted)" without casework importing referrals.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from casework.signals import plan_action_links_collecting
from core.signals import collect


@dataclass(frozen=True)
class ActionLink:
    """A linked object as the plan shows it; ``label`` holds no personal data."""

    label: Any
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)


def action_links(db: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ActionLink]:
    """Every receiver's links for these referral ids (missing ones are left out)."""
    wanted = {i for i in ids if i is not None}
    links: dict[uuid.UUID, ActionLink] = {}
    if not wanted:
        return links
    for found in collect(plan_action_links_collecting, None, dict, session=db, ids=wanted):
        links.update(found)
    return links
