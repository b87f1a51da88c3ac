"""Signing in and out: password check, lockout, second factor, sessions. Services flush only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import record
from auth import mfa, passwords, sessions, tokens
from auth.models import User, UserSession
from core.clock import utcnow
from core.mail import send_mail
from core.permissions import MFA_ALWAYS_REQUIRED, Role
from core.security import Actor


def hash_params() -> passwords.HashParameters:
    cfg = current_app.config
    return passwords.HashParameters(
        time_cost=cfg["PASSWORD_HASH_TIME_COST"],
        memory_cost_kib=cfg["PASSWORD_HASH_MEMORY_KIB"],
        parallelism=cfg["PASSWORD_HASH_PARALLELISM"],
    )


def actor_for(user: User, row: UserSession | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        session_id=str(row.public_id) if row else None,
    )


def find_user_by_email(db: Session, email: str) -> User | None:
    email = email.strip().lower()
    return db.scalar(select(User).where(func.lower(User.email) == email))


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


@dataclass(frozen=True)
class PasswordOutcome:
    """The result of the first step of signing in. ``user`` is None on any failure."""

    user: User | None


def check_password_step(db: Session, email: str, password: str) -> PasswordOutcome:
    """Verify e-mail and password, counting failures towards the account's lockout.

    Every failure looks the same to the caller (unknown user, wrong password, locked,
    inactive); the audit log records which it was.
    """
    params = hash_params()
    user = find_user_by_email(db, email) if len(email) <= 254 else None
    if user is None:
        passwords.dummy_verify(password, params)
        record(db, "login.failed", outcome="failed", details={"reason": "unknown_account"})
        return PasswordOutcome(None)
    subject = actor_for(user)
    if is_locked(user):
        passwords.dummy_verify(password, params)
        record(
            db,
            "login.failed",
            actor=subject,
            object_type="user",
            object_id=user.id,
            outcome="denied",
            details={"reason": "locked"},
        )
        return PasswordOutcome(None)
    if not passwords.verify_password(user.password_hash, password, params):
        _count_failure(db, user, subject)
        return PasswordOutcome(None)
    if not user.active or not user.organisation.active:
        record(
            db,
            "login.failed",
            actor=subject,
            object_type="user",
            object_id=user.id,
            outcome="denied",
            details={"reason": "inactive"},
        )
        return PasswordOutcome(None)
    if user.password_hash and passwords.needs_rehash(user.password_hash, params):
        user.password_hash = passwords.hash_password(password, params)
    return PasswordOutcome(user)


def _count_failure(db: Session, user: User, subject: Actor) -> None:
    cfg = current_app.config
    user.failed_logins += 1
    record(
        db,
        "login.failed",
        actor=subject,
        object_type="user",
        object_id=user.id,
        outcome="failed",
        details={"reason": "bad_password", "consecutive": user.failed_logins},
    )
    if user.failed_logins >= cfg["LOCKOUT_THRESHOLD"]:
        user.locked_until = utcnow() + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
        user.failed_logins = 0
        record(
            db,
            "account.locked",
            actor=subject,
            object_type="user",
            object_id=user.id,
            outcome="denied",
            details={"minutes": cfg["LOCKOUT_MINUTES"]},
        )


def mfa_required(user: User) -> bool:
    """Supervisors, auditors and administrators always; others when the setting says so."""
    if Role(user.role) in MFA_ALWAYS_REQUIRED:
        return True
    return bool(current_app.config["MFA_REQUIRED_FOR_ALL"]) or user.mfa_enrolled


def check_second_factor(db: Session, user: User, code: str) -> bool:
    """A TOTP code or an unused recovery code; failures count towards lockout too."""
    if is_locked(user) or not user.active:
        record(
            db,
            "mfa.failed",
            actor=actor_for(user),
            object_type="user",
            object_id=user.id,
            outcome="denied",
            details={"reason": "locked_or_inactive"},
        )
        return False
    if mfa.verify_totp(user, code):
        return True
    if mfa.use_recovery_code(user, code):
        record(
            db,
            "mfa.recovery_code_used",
            actor=actor_for(user),
            object_type="user",
            object_id=user.id,
            details={"remaining": mfa.remaining_recovery_codes(user)},
        )
        return True
    user.failed_logins += 1
    record(
        db,
        "mfa.failed",
        actor=actor_for(user),
        object_type="user",
        object_id=user.id,
        outcome="failed",
        details={"consecutive": user.failed_logins},
    )
    cfg = current_app.config
    if user.failed_logins >= cfg["LOCKOUT_THRESHOLD"]:
        user.locked_until = utcnow() + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
        user.failed_logins = 0
        record(
            db,
            "account.locked",
            actor=actor_for(user),
            object_type="user",
            object_id=user.id,
            outcome="denied",
            details={"minutes": cfg["LOCKOUT_MINUTES"]},
        )
    return False


def complete_login(db: Session, user: User, method: str) -> UserSession:
    """Both factors passed: start a fresh session and reset the failure count."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    row = sessions.start_session(db, user)
    record(
        db,
        "login.succeeded",
        actor=actor_for(user, row),
        object_type="user",
        object_id=user.id,
        details={"method": method},
    )
    return row


def logout(db: Session, actor: Actor) -> None:
    row = sessions.end_current_session(db, "logout")
    record(
        db, "logout", actor=actor, object_type="session", object_id=row.public_id if row else None
    )


def reauthenticate(db: Session, actor: Actor, user: User, password: str, code: str) -> bool:
    """Fresh proof before a sensitive change (password, second factor)."""
    ok = passwords.verify_password(user.password_hash, password, hash_params())
    if ok and user.mfa_enrolled:
        ok = mfa.verify_totp(user, code) or mfa.use_recovery_code(user, code)
    if ok:
        row = sessions.current_session_row(db)
        if row is not None:
            row.reauthenticated_at = utcnow()
    record(
        db,
        "reauthentication",
        actor=actor,
        object_type="user",
        object_id=user.id,
        outcome="ok" if ok else "failed",
    )
    return ok


REAUTH_WINDOW = timedelta(minutes=5)


def recently_reauthenticated(db: Session) -> bool:
    row = sessions.current_session_row(db)
    return row is not None and utcnow() - row.reauthenticated_at <= REAUTH_WINDOW


def user_for_actor(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id)
    assert user is not None
    return user


def get_user(db: Session, user_id: uuid.UUID) -> User | None:
    return db.get(User, user_id)


def request_password_reset(db: Session, email: str, *, base_url: str, lifetime: timedelta) -> None:
    """E-mail a reset link to an active account; says nothing either way to the caller."""
    user = find_user_by_email(db, email) if len(email) <= 254 else None
    if user is None or not user.active or user.password_hash is None:
        record(
            db,
            "password_reset.requested",
            outcome="failed",
            details={"reason": "no_active_account"},
        )
        return
    raw = tokens.issue(db, user, tokens.PASSWORD_RESET, lifetime)
    minutes = int(lifetime.total_seconds() // 60)
    send_mail(
        user.email,
        "Homeward password reset",
        "Someone asked to reset the password of your Homeward account.\n\n"
        f"Choose a new password here (the link works once, for {minutes} minutes):\n"
        f"{base_url.rstrip('/')}/password-reset/{raw}\n\n"
        "You will still need your authenticator app to sign in. If you did not ask for this, "
        "ignore this message; your password stays as it is.\n",
    )
    record(
        db, "password_reset.requested", actor=actor_for(user), object_type="user", object_id=user.id
    )


def confirm_new_authenticator(db: Session, actor: Actor, user: User, code: str) -> list[str] | None:
    """Switch to the pending authenticator once it has produced a valid code.

    Returns the new recovery codes (the old ones stop working), or None if the code is wrong.
    """
    if user.totp_pending_secret is None:
        return None
    step = mfa.matching_step(user.totp_pending_secret, code)
    if step is None:
        return None
    user.totp_secret = user.totp_pending_secret
    user.totp_pending_secret = None
    user.totp_last_step = step
    user.mfa_enrolled_at = utcnow()
    codes = mfa.issue_recovery_codes(user)
    record(
        db,
        "mfa.enrolled",
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"replaced": True},
    )
    return codes
