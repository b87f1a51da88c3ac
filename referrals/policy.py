"""Who may see and answer which referral. Object rules arrive with referrals."""

from __future__ import annotations

from core.permissions import Permission
from core.security import Actor


def may_open_inbox(actor: Actor) -> bool:
    """The referral inbox is for provider staff."""
    return actor.can(Permission.REFERRAL_RESPOND)
