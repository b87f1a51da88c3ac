"""Who a user acts as, and recording what happened to their account in the audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit import record
from auth.models import User, UserSession
from core.permissions import Role
from core.security import Actor


def actor_for(user: User, row: UserSession | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        session_id=str(row.public_id) if row else None,
    )


def audit_user(
    db: Session, action: str, user: User, outcome: str = "ok", **details: object
) -> None:
    record(
        db,
        action,
        actor=actor_for(user),
        object_type="user",
        object_id=user.id,
        outcome=outcome,
        details=details or None,
    )
