"""Counting failed proofs and locking accounts (NIST SP 800-63B 5.2.2 throttling)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from audit import actions
from auth.actors import audit_user
from auth.models import User
from core.clock import utcnow
from core.settings_sections import AuthSettings

#: NIST SP 800-63B 5.2.2: after this many failures since the last success, only an
#: administrator can unlock the account (lockouts alone would throttle, never stop, guessing).
FAILURE_CEILING = 100
PERMANENT_LOCK = timedelta(days=36500)


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def locked_now(db: Session, user: User) -> bool:
    """Whether the account is locked as of now, not as this request loaded it.

    A locking read (``FOR UPDATE``): it waits for a parallel failure that is still counting,
    then sees its lock. Checking the loaded account alone let a right answer in a burst of
    guesses through after the wrong ones had locked the account (each request loaded it
    before the others' locks). On SQLite the same read takes the one write lock first
    (:mod:`core.sqlite_writer`), so it too sees the latest commit.
    """
    until = db.execute(
        select(User.locked_until).where(User.id == user.id).with_for_update()
    ).scalar_one()
    set_committed_value(user, "locked_until", until)
    return is_locked(user)


def count_failure(
    db: Session,
    user: User,
    reason: str,
    action: str = actions.LOGIN_FAILED,
    *,
    settings: AuthSettings,
) -> bool:
    """Count one failed proof (password or code); lock the account at the threshold.

    Each count is one ``UPDATE … SET n = n + 1 … RETURNING`` and the lock decision is taken
    from the returned values, so parallel failures (several workers, several threads) are all
    counted. Returns True when this failure locked the account.
    """
    failed, since_success = db.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=User.failed_logins + 1,
            failures_since_success=User.failures_since_success + 1,
        )
        .returning(User.failed_logins, User.failures_since_success)
        .execution_options(synchronize_session=False)
    ).one()
    set_committed_value(user, "failed_logins", failed)
    set_committed_value(user, "failures_since_success", since_success)
    audit_user(db, action, user, "failed", reason=reason, consecutive=failed)
    if since_success >= FAILURE_CEILING:
        not_yet = or_(
            User.locked_until.is_(None), User.locked_until < utcnow() + PERMANENT_LOCK / 2
        )
        ceiling = and_(User.failures_since_success >= FAILURE_CEILING, not_yet)
        if _lock(db, user, ceiling, PERMANENT_LOCK):
            audit_user(db, actions.ACCOUNT_LOCKED, user, "denied", until="administrator_unlock")
        return True
    if failed >= settings.lockout_threshold:
        reached = User.failed_logins >= settings.lockout_threshold
        if _lock(db, user, reached, settings.lockout):
            minutes = int(settings.lockout.total_seconds() // 60)
            audit_user(db, actions.ACCOUNT_LOCKED, user, "denied", minutes=minutes)
        return True
    return False


def _lock(db: Session, user: User, reached: ColumnElement[bool], duration: timedelta) -> bool:
    """Lock the account while ``reached`` still holds (one conditional UPDATE).

    True for the one request whose UPDATE locked it; a parallel failure that also reached
    the threshold finds the count already reset and leaves the lock (and its audit) alone.
    """
    until = utcnow() + duration
    row = db.execute(
        update(User)
        .where(User.id == user.id, reached)
        .values(locked_until=until, failed_logins=0)
        .returning(User.locked_until)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        set_committed_value(
            user, "locked_until", db.scalar(select(User.locked_until).where(User.id == user.id))
        )
        return False
    set_committed_value(user, "locked_until", until)
    set_committed_value(user, "failed_logins", 0)
    return True
