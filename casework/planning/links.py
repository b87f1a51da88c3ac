"""Extension point: what a plan action's ``referral_id`` points at, shown on the plan page.

Referrals registers a resolver when its blueprint is registered, so the plan shows "carried out
by referral REF-2026-000123 (accepted)" without casework importing referrals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask.sansio.app import App
from sqlalchemy.orm import Session

EXTENSION = "homeward_plan_action_links"


@dataclass(frozen=True)
class ActionLink:
    """A linked object as the plan shows it; ``label`` holds no personal data."""

    label: Any
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)


LinkResolver = Callable[[Session, Collection[uuid.UUID]], dict[uuid.UUID, ActionLink]]


def register_link_resolver(app: App, resolver: LinkResolver) -> None:
    app.extensions.setdefault(EXTENSION, []).append(resolver)


def action_links(db: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ActionLink]:
    """Every registered resolver's links for these referral ids (missing ones are left out)."""
    wanted = {i for i in ids if i is not None}
    links: dict[uuid.UUID, ActionLink] = {}
    if not wanted:
        return links
    for resolver in current_app.extensions.get(EXTENSION, []):
        links.update(resolver(db, wanted))
    return links
