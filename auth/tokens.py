"""Single-use, expiring link tokens for invitations and password resets.

The link carries 256 random bits; only their SHA-256 is stored, so a database reader cannot
use a pending link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import AccountToken, User
from core.clock import utcnow

INVITATION = "invitation"
ENROLMENT = "enrolment"
PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose name, not a secret)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def issue(db: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    """A new token for ``user``; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    db.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    db.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(raw),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.flush()
    return raw


def peek(db: Session, raw: str, purpose: str) -> AccountToken | None:
    """The valid (unused, unexpired) token for ``raw``, without using it up."""
    if not raw or len(raw) > 100:
        return None
    token = db.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _hash(raw), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def consume(db: Session, raw: str, purpose: str) -> AccountToken | None:
    """Use the token up; None when it is unknown, used, expired, or used by a racing request."""
    token = peek(db, raw, purpose)
    if token is None:
        return None
    now = utcnow()
    result = db.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    set_committed_value(token, "used_at", now)
    return token


def revoke(db: Session, user: User, purpose: str) -> None:
    """The user's outstanding links of one purpose stop working (a new one is on its way)."""
    db.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def revoke_all(db: Session, user: User) -> None:
    """Every outstanding link of the user stops working (password change, deactivation)."""
    db.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
