"""Audit test helpers: accounts that sign in for real, events with every field, tampering."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.services import record
from auth import admin
from auth.models import Organisation, User
from core.permissions import Role
from core.security import Actor

PASSWORD = "quiet harbour lantern 1987 violet"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@dataclass
class Account:
    user: User
    email: str
    password: str
    totp_secret: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, Role(self.user.role), self.user.organisation_id)


@pytest.fixture
def organisation(app: Flask, db_session: Session) -> Organisation:
    with app.test_request_context("/"):
        org = admin.create_organisation(
            db_session,
            None,
            name="Audit Test Agency",
            code="AUDTEST",
            country="XK",
            is_case_agency=True,
            is_provider=False,
        )
    db_session.commit()
    return org


@pytest.fixture
def make_account(app: Flask, db_session: Session, organisation: Organisation):
    """A user of the given role with a password and (by default) an enrolled second factor."""

    def make(role: Role, name: str = "Zainab Testperson", enrol: bool = True) -> Account:
        email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.test"
        with app.test_request_context("/"):
            user = admin.create_user(
                db_session,
                None,
                email=email,
                display_name=name,
                organisation=organisation,
                role=role,
                password=PASSWORD,
            )
            secret = admin.enrol_totp_directly(db_session, user) if enrol else None
        db_session.commit()
        return Account(user, email, PASSWORD, secret)

    return make


def totp_now(secret: str, offset_steps: int = 0) -> str:
    """A code for the current step (or a neighbouring one, to avoid the replay guard)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def sign_in(client: FlaskClient, account: Account, code_offset: int = 0) -> None:
    """Sign in through the real pages: password, then TOTP."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": account.email,
            "password": account.password,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert account.totp_secret is not None
    page = client.get("/login/second-factor")
    response = client.post(
        "/login/second-factor",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "code": totp_now(account.totp_secret, code_offset),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def auditor(make_account) -> Account:
    return make_account(Role.AUDITOR, "Elif Auditor")


@pytest.fixture
def auditor_client(client: FlaskClient, auditor: Account) -> FlaskClient:
    sign_in(client, auditor)
    return client


def events_after(session: Session, seq: int) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq))
    )


def head_seq(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


def full_event(session: Session, index: int, case_id: uuid.UUID | None = None) -> AuditEvent:
    """An event with every chained field set (so any of them can be tampered with)."""
    actor = Actor(uuid.uuid4(), Role.CASEWORKER, uuid.uuid4(), str(uuid.uuid4()))
    return record(
        session,
        "case.viewed",
        actor=actor,
        object_type="case",
        object_id=uuid.uuid4(),
        case_id=case_id or uuid.uuid4(),
        details={"index": index, "fields": ["stage", "plan"]},
    )


def build_chain(session: Session, count: int) -> list[AuditEvent]:
    return [full_event(session, i) for i in range(count)]


@contextmanager
def tampering(session: Session) -> Iterator[None]:
    """Switch the append-only triggers off inside the test's transaction (rolled back after).

    This is what someone with the table owner's rights could do by hand.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        session.execute(text("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER"))
    else:
        for name in (
            "audit_event_no_update",
            "audit_event_no_delete",
            "audit_checkpoint_no_update",
            "audit_checkpoint_no_delete",
        ):
            session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    yield
    session.flush()
    session.expire_all()
