"""The half-finished sign-in kept in this browser between the password and the second factor.

It names the user, when the password step passed, the password's age (a password change
voids it), the account's last sign-in then (a completed sign-in voids it: completing claims
it with a conditional UPDATE, see ``services.claim_sign_in``, so a copy of this cookie
cannot be replayed), whether this attempt may enrol an authenticator (only after an invitation or an
enrolment link, or at an account's very first sign-in), and the secret offered for enrolment
(sealed, see ``mfa.seal_offer``), which reaches the account only once a code from it has been
typed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import session
from sqlalchemy.orm import Session

from auth import mfa
from auth.models import User
from auth.services import SignInClaim, can_sign_in
from core.clock import utcnow

KEY = "pending_login"
LIFETIME = timedelta(minutes=5)


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def start(user: User, nxt: str | None = None, *, may_enrol: bool = False) -> None:
    """Forget whatever this browser held and remember that ``user`` passed the first step."""
    session.clear()
    session[KEY] = {
        "uid": str(user.id),
        "at": utcnow().isoformat(),
        "pw": _stamp(user.password_changed_at),
        "last": _stamp(user.last_login_at),
        "next": nxt,
        "enrol": may_enrol,
    }


def state() -> dict[str, Any]:
    value = session.get(KEY)
    return value if isinstance(value, dict) else {}


def user(db: Session) -> User | None:
    """The pending user, while the state is fresh and still matches the account."""
    pending = state()
    try:
        started = datetime.fromisoformat(pending["at"])
        user_id = uuid.UUID(pending["uid"])
    except (KeyError, ValueError, TypeError):
        return None
    if utcnow() - started > LIFETIME:
        session.pop(KEY, None)
        return None
    found = db.get(User, user_id)
    if (
        found is None
        or not can_sign_in(found)
        or pending.get("pw") != _stamp(found.password_changed_at)
        or pending.get("last", "") != _stamp(found.last_login_at)
    ):
        return None
    return found


def claim() -> SignInClaim:
    """What completing this sign-in must still find (call after :func:`user` accepted it)."""
    last = state().get("last")
    return SignInClaim(datetime.fromisoformat(last) if isinstance(last, str) else None)


def forget() -> None:
    session.pop(KEY, None)


def may_enrol() -> bool:
    return bool(state().get("enrol"))


def enrolment_secret(db: Session, user: User) -> str:
    """The secret offered to this enrolment attempt (made once per attempt, kept here sealed:
    the cookie is signed, not encrypted, and must not carry a second factor in clear)."""
    pending = state()
    secret = mfa.open_offer(db, user, pending.get("secret"))
    if secret is None:
        secret = mfa.new_secret()
        pending["secret"] = mfa.seal_offer(db, user, secret)
        session[KEY] = pending
    return secret


def next_url() -> str | None:
    value = state().get("next")
    return value if isinstance(value, str) else None
