"""User and organisation administration services. Each flushes and records an audit event."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import record
from auth import mfa, passwords, sessions
from auth.models import Organisation, User
from auth.services import find_user_by_email, hash_params
from core.clock import utcnow
from core.permissions import Role
from core.security import Actor


class AdminError(ValueError):
    """An administrative change cannot be made; ``field`` names the form field at fault."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def create_organisation(
    db: Session,
    actor: Actor | None,
    *,
    name: str,
    code: str,
    country: str,
    is_case_agency: bool,
    is_provider: bool,
) -> Organisation:
    code = code.strip().upper()
    if db.scalar(select(Organisation).where(Organisation.code == code)) is not None:
        raise AdminError("An organisation with this short code exists already.", "code")
    if not (is_case_agency or is_provider):
        raise AdminError("Choose at least one kind of organisation.", "is_case_agency")
    org = Organisation(
        id=uuid.uuid4(),
        name=name.strip(),
        code=code,
        country=country.strip().upper(),
        is_case_agency=is_case_agency,
        is_provider=is_provider,
        active=True,
    )
    db.add(org)
    db.flush()
    record(db, "organisation.created", actor=actor, object_type="organisation", object_id=org.id)
    return org


def create_user(
    db: Session,
    actor: Actor | None,
    *,
    email: str,
    display_name: str,
    organisation: Organisation,
    role: Role,
    preferred_language: str = "en",
    password: str | None = None,
) -> User:
    """Create an account; with ``password`` it can sign in at once, else it awaits an invitation."""
    email = email.strip().lower()
    if find_user_by_email(db, email) is not None:
        raise AdminError("An account with this e-mail address exists already.", "email")
    _check_role_fits(role, organisation)
    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=display_name.strip(),
        organisation_id=organisation.id,
        organisation=organisation,
        role=role.value,
        preferred_language=preferred_language,
        active=True,
        failed_logins=0,
    )
    if password is not None:
        passwords.check_password(password, display_name, email)
        user.password_hash = passwords.hash_password(password, hash_params())
        user.password_changed_at = utcnow()
    db.add(user)
    db.flush()
    record(
        db,
        "user.created",
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"role": role.value, "organisation_id": str(organisation.id)},
    )
    return user


def _check_role_fits(role: Role, organisation: Organisation) -> None:
    if role in (Role.CASEWORKER, Role.SUPERVISOR) and not organisation.is_case_agency:
        raise AdminError("Caseworkers and supervisors belong to a case-management agency.", "role")
    if role is Role.PROVIDER_STAFF and not organisation.is_provider:
        raise AdminError("Provider staff belong to a service provider.", "role")


def enrol_totp_directly(db: Session, user: User) -> str:
    """Give a user an enrolled authenticator secret (demo data and scripted set-up only)."""
    user.totp_secret = mfa.new_secret()
    user.totp_last_step = None
    user.mfa_enrolled_at = utcnow()
    mfa.issue_recovery_codes(user)
    db.flush()
    return user.totp_secret


def end_sessions(db: Session, actor: Actor | None, user: User, reason: str) -> int:
    count = sessions.end_all_sessions(db, user.id, reason)
    record(
        db,
        "user.sessions_ended",
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"count": count, "reason": reason},
    )
    return count
