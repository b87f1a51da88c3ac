"""Organisations, users, their sessions, recovery codes and single-use tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.crypto import encrypted_column
from core.db import Base, UUIDPrimaryKey
from core.permissions import Role

ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class Organisation(UUIDPrimaryKey, Base):
    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    #: The organisation's time zone (a zoneinfo name); None: HOMEWARD_DEFAULT_TIMEZONE.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    is_case_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    is_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    __table_args__ = (CheckConstraint("is_case_agency OR is_provider", name="has_kind"),)


class User(UUIDPrimaryKey, Base):
    __tablename__ = "user_account"
    #: The TOTP secret is sealed under the account's own data key (wrapped by the master key),
    #: so a database or a backup alone yields nobody's second factor.
    __encryption_subject__ = "id"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    #: The user's time zone (a zoneinfo name); None: their organisation's.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    totp_secret = encrypted_column(str)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: Failures since the last successful sign-in, across lockouts (NIST's cap of 100).
    failures_since_success: Mapped[int] = mapped_column(Integer, default=0)
    mfa_enrolled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint(f"role IN ({ROLE_VALUES})", name="known_role"),)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def can_sign_in(self) -> bool:
        """An active account of an active organisation (checked at every step and request)."""
        return self.active and self.organisation.active

    @property
    def mfa_enrolled(self) -> bool:
        return self.mfa_enrolled_at is not None and self.totp_secret is not None


class UserSession(Base):
    """A signed-in session, kept on the server so it can be ended from anywhere.

    The cookie holds a random token; only its SHA-256 is stored, so a database reader cannot
    take over a session.
    """

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(30))

    user: Mapped[User] = relationship(back_populates="sessions")


class RecoveryCode(UUIDPrimaryKey, Base):
    __tablename__ = "recovery_code"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class AccountToken(UUIDPrimaryKey, Base):
    """A single-use, expiring link token (invitation or password reset); only its hash is kept."""

    __tablename__ = "account_token"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("token_hash"),
        CheckConstraint(
            "purpose IN ('invitation', 'password_reset', 'enrolment')", name="known_purpose"
        ),
    )
