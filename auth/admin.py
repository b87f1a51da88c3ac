"""User and organisation administration services. Each flushes and records an audit event."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit import record
from auth import emails, mfa, passwords, sessions, tokens
from auth.models import Organisation, User
from auth.services import can_sign_in, find_user_by_email, hash_params, send_enrolment_link
from auth.signals import user_organisation_changed
from core.clock import utcnow
from core.exceptions import ServiceError
from core.outbox.services import discard_waiting
from core.permissions import Role
from core.security import Actor
from core.settings_sections import AuthSettings


class AdminError(ServiceError):
    """An administrative change cannot be made; ``field`` names the form field at fault."""


def create_organisation(
    db: Session,
    actor: Actor | None,
    *,
    name: str,
    code: str,
    country: str,
    is_case_agency: bool,
    is_provider: bool,
    time_zone: str | None = None,
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
        time_zone=time_zone or None,
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
    settings: AuthSettings | None = None,
) -> User:
    """A new account: signs in with ``password`` (hashed per ``settings``) or awaits invitation."""
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
        assert settings is not None, "a password is hashed at the cost the settings give"
        passwords.check_password(password, display_name, email)
        user.password_hash = passwords.hash_password(password, hash_params(settings))
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


def _audit_user(
    db: Session, actor: Actor | None, action: str, user: User, **details: object
) -> None:
    record(db, action, actor=actor, object_type="user", object_id=user.id, details=details or None)


def invite_user(
    db: Session,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    organisation: Organisation,
    role: Role,
    preferred_language: str,
    base_url: str,
    lifetime: timedelta,
) -> User:
    """Create an account without a password and e-mail a single-use link to set one up."""
    user = create_user(
        db,
        actor,
        email=email,
        display_name=display_name,
        organisation=organisation,
        role=role,
        preferred_language=preferred_language,
    )
    send_invitation(db, actor, user, base_url=base_url, lifetime=lifetime)
    return user


def send_invitation(
    db: Session, actor: Actor, user: User, *, base_url: str, lifetime: timedelta
) -> None:
    if user.password_hash is not None:
        raise AdminError("This person has set up their account already.")
    if not can_sign_in(user):
        raise AdminError("The account or its organisation is not active.")
    # The outbox sends it; the link is issued then, ending earlier ones (``base_url`` is
    # the sender's at that time).
    del base_url
    tokens.revoke(db, user, tokens.INVITATION)
    discard_waiting(db, user.id, "replaced", [emails.INVITATION])
    emails.queue(db, emails.INVITATION, user, hours=max(1, int(lifetime.total_seconds() // 3600)))
    _audit_user(db, actor, "user.invited", user)


def _other_active_administrators(db: Session, user: User) -> int:
    return len(
        [
            u
            for u in db.scalars(
                select(User).where(
                    User.role == Role.ADMINISTRATOR.value, User.active.is_(True), User.id != user.id
                )
            )
            if u.organisation.active
        ]
    )


def _keep_an_administrator(db: Session, user: User, still_admin: bool) -> None:
    """Refuse a change that would leave the deployment without an active administrator."""
    last = user.role == Role.ADMINISTRATOR.value and _other_active_administrators(db, user) == 0
    if last and not still_admin:
        raise AdminError("This is the last active administrator; appoint another first.")


def update_user(
    db: Session,
    actor: Actor,
    user: User,
    *,
    display_name: str,
    organisation: Organisation,
    role: Role,
    preferred_language: str,
) -> list[str]:
    """Change an account; a new role or organisation ends the user's sessions at once, and a
    new organisation takes back what the user held in the old one (casework listens)."""
    if user.id == actor.user_id and role.value != user.role:
        raise AdminError("You cannot change your own role.", "role")
    if not organisation.active and organisation.id != user.organisation_id:
        raise AdminError("Choose an active organisation.", "organisation")
    if user.id == actor.user_id and organisation.id != user.organisation_id:
        raise AdminError("You cannot move yourself to another organisation.", "organisation")
    _check_role_fits(role, organisation)
    _keep_an_administrator(db, user, role is Role.ADMINISTRATOR and organisation.active)
    previous_organisation_id = user.organisation_id
    changed = []
    for name, value in (
        ("display_name", display_name.strip()),
        ("organisation_id", organisation.id),
        ("role", role.value),
        ("preferred_language", preferred_language),
    ):
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if organisation.id != user.organisation.id:
        user.organisation = organisation
    if not changed:
        return changed
    _audit_user(db, actor, "user.updated", user, fields=changed)
    if {"role", "organisation_id"} & set(changed):
        end_sessions(db, actor, user, "role_changed")
    db.flush()
    if "organisation_id" in changed:
        user_organisation_changed.send(
            user, session=db, actor=actor, previous_organisation_id=previous_organisation_id
        )
    return changed


def set_active(db: Session, actor: Actor, user: User, active: bool) -> None:
    if user.id == actor.user_id and not active:
        raise AdminError("You cannot deactivate your own account.")
    if user.active == active:
        return
    if not active:
        _keep_an_administrator(db, user, still_admin=False)
    user.active = active
    _audit_user(db, actor, "user.reactivated" if active else "user.deactivated", user)
    if not active:
        tokens.revoke_all(db, user)
        discard_waiting(db, user.id, "recipient_deactivated")
        end_sessions(db, actor, user, "deactivated")


def unlock(db: Session, actor: Actor, user: User) -> None:
    user.locked_until = None
    user.failed_logins = 0
    user.failures_since_success = 0
    _audit_user(db, actor, "user.unlocked", user)


def reset_second_factor(
    db: Session, actor: Actor, user: User, *, base_url: str, lifetime: timedelta
) -> None:
    """Remove the user's authenticator and recovery codes and e-mail them an enrolment link.

    The link, not the password alone, lets them set up a new authenticator.
    """
    user.totp_secret = None
    user.totp_last_step = None
    user.mfa_enrolled_at = None
    user.recovery_codes.clear()
    _audit_user(db, actor, "mfa.reset", user)
    end_sessions(db, actor, user, "mfa_reset")
    if user.password_hash is not None and can_sign_in(user):
        send_enrolment_link(db, user, base_url=base_url, lifetime=lifetime)


def set_password(
    db: Session,
    actor: Actor | None,
    user: User,
    password: str,
    reason: str,
    *,
    settings: AuthSettings,
) -> None:
    """Set a new password (rules checked), end every session and link, and tell the user."""
    passwords.check_password(password, user.display_name, user.email)
    first = user.password_hash is None
    user.password_hash = passwords.hash_password(password, hash_params(settings))
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    _audit_user(db, actor, "password.changed", user, reason=reason)
    tokens.revoke_all(db, user)
    sessions.end_all_sessions(db, user.id, "password_changed")
    if not first:
        emails.queue(db, emails.PASSWORD_CHANGED, user)


def list_users(
    db: Session, query: str = "", organisation_id: uuid.UUID | None = None
) -> list[User]:
    stmt = select(User).order_by(User.display_name)
    if query.strip():
        text = query.strip().lower()
        stmt = stmt.where(
            func.lower(User.email).contains(text, autoescape=True)
            | func.lower(User.display_name).contains(text, autoescape=True)
        )
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    return list(db.scalars(stmt.limit(500)))


def list_organisations(db: Session) -> list[Organisation]:
    return list(db.scalars(select(Organisation).order_by(Organisation.name)))


def _check_members_fit(
    db: Session, org: Organisation, *, is_case_agency: bool, is_provider: bool, active: bool
) -> None:
    """Refuse a change that misfits an active member, or deactivates the last administrator."""
    for user in org.users:
        if not user.active:
            continue
        role = Role(user.role)
        if role in (Role.CASEWORKER, Role.SUPERVISOR) and not is_case_agency:
            raise AdminError(
                "Caseworkers and supervisors still belong to it: it manages cases.",
                "is_case_agency",
            )
        if role is Role.PROVIDER_STAFF and not is_provider:
            raise AdminError(
                "Provider staff still belong to it: it provides services.", "is_provider"
            )
        if not active:
            _keep_an_administrator(db, user, still_admin=False)


def update_organisation(
    db: Session,
    actor: Actor,
    org: Organisation,
    *,
    name: str,
    country: str,
    is_case_agency: bool,
    is_provider: bool,
    active: bool,
    time_zone: str | None = None,
) -> None:
    if not (is_case_agency or is_provider):
        raise AdminError("Choose at least one kind of organisation.", "is_case_agency")
    if not active and org.id == actor.organisation_id:
        raise AdminError("You cannot deactivate your own organisation.", "active")
    _check_members_fit(
        db, org, is_case_agency=is_case_agency, is_provider=is_provider, active=active
    )
    changed = []
    for field, value in (
        ("name", name.strip()),
        ("country", country.strip().upper()),
        ("is_case_agency", is_case_agency),
        ("is_provider", is_provider),
        ("active", active),
        ("time_zone", time_zone or None),
    ):
        if getattr(org, field) != value:
            setattr(org, field, value)
            changed.append(field)
    if changed:
        record(
            db,
            "organisation.updated",
            actor=actor,
            object_type="organisation",
            object_id=org.id,
            details={"fields": changed},
        )
    if "active" in changed and not active:
        for user in org.users:
            tokens.revoke_all(db, user)
            discard_waiting(db, user.id, "recipient_deactivated")
            sessions.end_all_sessions(db, user.id, "organisation_deactivated")
