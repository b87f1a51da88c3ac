"""Server-side sessions: start at login, end at logout, expire by idle and absolute limits.

The signed cookie holds only a random token; the ``user_session`` row (keyed by the token's
SHA-256) is the truth, so a session ended here is ended everywhere at once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from flask import request, session
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from auth.models import User, UserSession
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor
from core.settings_sections import AuthSettings

COOKIE_KEY = "sid"
#: Write ``last_seen_at`` at most this often, so browsing does not write on every request.
TOUCH_INTERVAL = timedelta(seconds=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start_session(db: Session, user: User) -> UserSession:
    """A fresh session for a user who has just proved who they are.

    Clears whatever the cookie held before (no fixation) and issues a new random token.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        token_hash=_hash(token),
        public_id=uuid.uuid4(),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        ip_address=request.remote_addr,
        user_agent=(request.headers.get("User-Agent") or "")[:200] or None,
    )
    db.add(row)
    db.flush()
    session.clear()
    session[COOKIE_KEY] = token
    session.permanent = False
    return row


def expiry_reason(row: UserSession, now: datetime, settings: AuthSettings) -> str | None:
    """Why a session is no longer valid at ``now``, or None while it is."""
    if row.ended_at is not None:
        return row.end_reason or "ended"
    if now - row.last_seen_at > settings.session_idle:
        return "idle_timeout"
    if now - row.created_at > settings.session_absolute:
        return "absolute_timeout"
    return None


_KEPT_ROW = "homeward_session_row"
#: The session row with its user and the user's organisation (``can_sign_in`` reads both):
#: one query instead of three.
_WITH_USER = (joinedload(UserSession.user).joinedload(User.organisation),)


def current_session_row(db: Session) -> UserSession | None:
    """This request's session row (with its user and organisation), read once a request.

    The row is kept in the database session's ``info`` (which lives as long as the request's
    session): the identity map holds unchanged objects only weakly, so without it the
    layout's later asks (time left, language, time zone) read the row and the user again."""
    token = session.get(COOKIE_KEY)
    if not isinstance(token, str) or len(token) > 100:
        return None
    row = db.get(UserSession, _hash(token), options=_WITH_USER)
    db.info[_KEPT_ROW] = row
    return row


def load_actor(db: Session, settings: AuthSettings) -> Actor | None:
    """The acting user of this request from the session cookie; ends expired sessions."""
    row = current_session_row(db)
    if row is None:
        return None
    now = utcnow()
    reason = expiry_reason(row, now, settings)
    user = row.user
    if reason is None and not user.can_sign_in:
        reason = "deactivated"
    if reason is not None:
        if row.ended_at is None:
            row.ended_at, row.end_reason = now, reason
        session.clear()
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        session_id=str(row.public_id),
    )


def seconds_left(row: UserSession, settings: AuthSettings) -> int:
    """Seconds until the idle (or absolute) limit ends this session (for the expiry warning)."""
    now = utcnow()
    ends = min(row.last_seen_at + settings.session_idle, row.created_at + settings.session_absolute)
    remaining = ends - now
    return max(0, int(remaining.total_seconds()))


def end_current_session(db: Session, reason: str = "logout") -> UserSession | None:
    row = current_session_row(db)
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason
    session.clear()
    return row


def end_one(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason


def end_all_sessions(db: Session, user_id: uuid.UUID, reason: str) -> int:
    """End every open session of a user; returns how many were ended."""
    result = db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_sessions(db: Session, user_id: uuid.UUID, settings: AuthSettings) -> list[UserSession]:
    now = utcnow()
    rows = db.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.created_at.desc())
    ).all()
    return [r for r in rows if expiry_reason(r, now, settings) is None]
