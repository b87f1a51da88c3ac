"""Signing in and out: password check, lockout, second factor, re-authentication.

Services flush only; the request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from audit import actions, record
from auth import emails, mfa, passwords, sessions
from auth.actors import actor_for, audit_user
from auth.lockout import count_failure, is_locked, locked_now
from auth.models import User, UserSession
from core.clock import utcnow
from core.exceptions import HomewardError
from core.permissions import MFA_ALWAYS_REQUIRED, Role
from core.security import Actor
from core.settings_sections import AuthSettings


def hash_params(settings: AuthSettings) -> passwords.HashParameters:
    """The Argon2id cost of new password hashes (settings ``PASSWORD_HASH_*``)."""
    return passwords.HashParameters(
        time_cost=settings.hash_time_cost,
        memory_cost_kib=settings.hash_memory_kib,
        parallelism=settings.hash_parallelism,
    )


def find_user_by_email(db: Session, email: str) -> User | None:
    email = email.strip().lower()
    return db.scalar(select(User).where(func.lower(User.email) == email))


def can_sign_in(user: User) -> bool:
    """An active account of an active organisation (checked at every step and every request)."""
    return user.can_sign_in


@dataclass(frozen=True)
class PasswordOutcome:
    """The result of the first step of signing in. ``user`` is None on any failure."""

    user: User | None


def check_password_step(
    db: Session, email: str, password: str, settings: AuthSettings
) -> PasswordOutcome:
    """Verify e-mail and password, counting failures towards the account's lockout.

    Every failure looks the same to the caller and takes as long (unknown user, wrong
    password, locked, inactive, not yet set up); the audit log records which it was. A
    password over the maximum length is refused before anything is looked up or hashed.
    """
    params = hash_params(settings)
    if len(password) > passwords.MAX_LENGTH or len(email) > 254:
        record(db, actions.LOGIN_FAILED, outcome="failed", details={"reason": "too_long"})
        return PasswordOutcome(None)
    user = find_user_by_email(db, email)
    if user is None or user.password_hash is None:
        passwords.dummy_verify(password, params)
        reason = "unknown_account" if user is None else "not_set_up"
        record(db, actions.LOGIN_FAILED, outcome="failed", details={"reason": reason})
        return PasswordOutcome(None)
    if is_locked(user):
        passwords.dummy_verify(password, params)
        audit_user(db, actions.LOGIN_FAILED, user, "denied", reason="locked")
        return PasswordOutcome(None)
    if not passwords.verify_password(user.password_hash, password, params):
        count_failure(db, user, "bad_password", settings=settings)
        return PasswordOutcome(None)
    if locked_now(db, user):  # locked by parallel failures while this one was hashing
        audit_user(db, actions.LOGIN_FAILED, user, "denied", reason="locked")
        return PasswordOutcome(None)
    if not can_sign_in(user):
        audit_user(db, actions.LOGIN_FAILED, user, "denied", reason="inactive")
        return PasswordOutcome(None)
    if passwords.needs_rehash(user.password_hash, params):
        user.password_hash = passwords.hash_password(password, params)
    return PasswordOutcome(user)


def mfa_required(user: User, settings: AuthSettings) -> bool:
    """Supervisors, auditors and administrators always; others when the setting says so."""
    if Role(user.role) in MFA_ALWAYS_REQUIRED:
        return True
    return settings.mfa_required_for_all or user.mfa_enrolled


def may_enrol_at_sign_in(user: User) -> bool:
    """Only an account's very first sign-in may enrol with the password alone (bootstrap).

    Anyone else without an authenticator (after an administrator's reset) enrols through the
    single-use link e-mailed to them, which proves more than the password.
    """
    return user.last_login_at is None


def check_second_factor(db: Session, user: User, code: str, settings: AuthSettings) -> bool:
    """A TOTP code or an unused recovery code; failures count towards lockout too."""
    if locked_now(db, user) or not can_sign_in(user):
        audit_user(db, actions.MFA_FAILED, user, "denied", reason="locked_or_inactive")
        return False
    if mfa.verify_totp(db, user, code):
        return True
    if mfa.use_recovery_code(db, user, code):
        audit_user(db, "mfa.recovery_code_used", user, remaining=mfa.remaining_recovery_codes(user))
        return True
    count_failure(db, user, "bad_code", actions.MFA_FAILED, settings=settings)
    return False


class SignInExpired(HomewardError):
    """The half-finished sign-in was completed already (or is stale): sign in again."""


class LanguageNotOffered(HomewardError):
    """A language without a complete catalogue (the form offers only complete ones)."""


class OfferExpired(HomewardError):
    """The offered authenticator was enrolled already (a replayed or racing copy)."""


@dataclass(frozen=True)
class SignInClaim:
    """What a half-finished sign-in saw at its password step: the account's last sign-in."""

    last_login_at: datetime | None


def claim_sign_in(db: Session, user: User, claim: SignInClaim) -> None:
    """Finish a half-finished sign-in once: a conditional UPDATE of ``last_login_at``.

    Only the first completion after the password step finds ``last_login_at`` as it was
    then; a replayed or parallel copy of the same half-finished sign-in changes no row and
    raises SignInExpired (audited), so it fails closed.
    """
    now = utcnow()
    result = db.execute(
        update(User)
        .where(User.id == user.id, User.last_login_at.is_not_distinct_from(claim.last_login_at))
        .values(last_login_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        audit_user(db, actions.LOGIN_FAILED, user, "denied", reason="sign_in_already_completed")
        raise SignInExpired
    set_committed_value(user, "last_login_at", now)


def complete_login(db: Session, user: User, method: str, claim: SignInClaim) -> UserSession:
    """Both factors passed: claim the half-finished sign-in, then start a fresh session.

    Raises SignInExpired when this half-finished sign-in was completed already.
    """
    claim_sign_in(db, user, claim)
    return _signed_in(db, user, method)


def _signed_in(db: Session, user: User, method: str) -> UserSession:
    """A fresh session, the failure counts reset (after a successful claim)."""
    user.failed_logins = 0
    user.failures_since_success = 0
    user.locked_until = None
    row = sessions.start_session(db, user)
    record(
        db,
        actions.LOGIN_SUCCEEDED,
        actor=actor_for(user, row),
        object_type="user",
        object_id=user.id,
        details={"method": method},
    )
    return row


def logout(db: Session, actor: Actor) -> None:
    row = sessions.end_current_session(db, "logout")
    record(
        db,
        actions.LOGOUT,
        actor=actor,
        object_type="session",
        object_id=row.public_id if row else None,
    )


def reauthenticate(
    db: Session, actor: Actor, user: User, password: str, code: str, settings: AuthSettings
) -> bool:
    """Fresh proof before a sensitive change (password, authenticator).

    Failures count towards lockout like sign-in failures; when they lock the account, every
    session of the user ends.
    """
    if locked_now(db, user):
        record(
            db,
            "reauthentication",
            actor=actor,
            object_type="user",
            object_id=user.id,
            outcome="denied",
            details={"reason": "locked"},
        )
        return False
    ok = passwords.verify_password(user.password_hash, password, hash_params(settings))
    if ok and user.mfa_enrolled:
        ok = mfa.verify_totp(db, user, code) or mfa.use_recovery_code(db, user, code)
    record(
        db,
        "reauthentication",
        actor=actor,
        object_type="user",
        object_id=user.id,
        outcome="ok" if ok else "failed",
    )
    failure = "reauthentication.failed"
    if not ok and count_failure(db, user, "bad_reauthentication", failure, settings=settings):
        sessions.end_all_sessions(db, user.id, "locked")
    return ok


def user_for_actor(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id)
    assert user is not None
    return user


def set_preferred_language(db: Session, user: User, language: str, offered: list[str]) -> bool:
    """Store the language the user chose on the account page (one of ``offered``); True when
    it changed. Recorded as the user's own change of the field, never its value."""
    if language not in offered:
        raise LanguageNotOffered(language)
    if user.preferred_language == language:
        return False
    user.preferred_language = language
    audit_user(db, "user.updated", user, fields=["preferred_language"])
    db.flush()
    return True


def send_enrolment_link(db: Session, user: User, *, base_url: str, lifetime: timedelta) -> None:
    """E-mail a single-use link to set up a new authenticator (after a reset), through the
    outbox: the link is issued when the e-mail is sent (``base_url`` is the sender's then)."""
    del base_url
    emails.queue(db, emails.ENROLMENT, user, hours=max(1, int(lifetime.total_seconds() // 3600)))
    audit_user(db, "mfa.enrolment_link_sent", user)


def request_password_reset(db: Session, email: str, *, base_url: str, lifetime: timedelta) -> None:
    """E-mail a reset link to an active account (through the outbox: the link is issued when
    the e-mail is sent); says nothing either way to the caller."""
    del base_url
    user = find_user_by_email(db, email) if len(email) <= 254 else None
    if user is None or not can_sign_in(user) or user.password_hash is None:
        record(
            db,
            "password_reset.requested",
            outcome="failed",
            details={"reason": "no_active_account"},
        )
        return
    minutes = max(1, int(lifetime.total_seconds() // 60))
    emails.queue(db, emails.PASSWORD_RESET, user, minutes=minutes)
    audit_user(db, "password_reset.requested", user)


def enrol_at_sign_in(
    db: Session, user: User, secret: str, code: str, claim: SignInClaim
) -> list[str] | None:
    """First enrolment inside a sign-in: a right code claims the sign-in, enrols, signs in.

    Returns the recovery codes, or None if the code is wrong; raises SignInExpired (before
    anything is enrolled) when this half-finished sign-in was completed already.
    """
    if mfa.matching_step(secret, code) is None:
        return None
    claim_sign_in(db, user, claim)
    codes = enrol_authenticator(db, user, secret, code, seen_enrolled_at=user.mfa_enrolled_at)
    if codes is not None:
        _signed_in(db, user, "password+totp")
    return codes


def enrol_authenticator(
    db: Session, user: User, secret: str, code: str, *, seen_enrolled_at: datetime | None
) -> list[str] | None:
    """Make ``secret`` the user's authenticator once it has produced a valid code.

    ``seen_enrolled_at`` is the account's enrolment time when this secret was offered; the
    enrolment is a conditional UPDATE on it, so an offer works once (a replayed or racing
    copy raises OfferExpired, audited). Returns the new recovery codes (earlier ones stop
    working), or None if the code is wrong.
    """
    step = mfa.matching_step(secret, code)
    if step is None:
        return None
    replacing = user.mfa_enrolled
    now = utcnow()
    result = db.execute(
        update(User)
        .where(User.id == user.id, User.mfa_enrolled_at.is_not_distinct_from(seen_enrolled_at))
        .values(mfa_enrolled_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        audit_user(db, "mfa.enrolled", user, "denied", reason="offer_already_used")
        raise OfferExpired
    set_committed_value(user, "mfa_enrolled_at", now)
    user.totp_secret = secret
    user.totp_last_step = step
    codes = mfa.issue_recovery_codes(user)
    audit_user(db, "mfa.enrolled", user, replaced=replacing)
    if replacing:
        emails.queue(db, emails.AUTHENTICATOR_CHANGED, user)
    return codes


def set_time_zone(db: Session, actor: Actor, user: User, time_zone: str | None) -> bool:
    """The user's own time zone (None: their organisation's); True when it changed."""
    if user.time_zone == (time_zone or None):
        return False
    user.time_zone = time_zone or None
    db.flush()
    record(db, "user.time_zone_changed", actor=actor, object_type="user", object_id=user.id)
    return True
