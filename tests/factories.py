"""Factory functions for organisations and users, and the one set of page helpers.

``csrf_token``, ``post_form`` and ``sign_in`` are the only way tests read a form's token, post a
form and sign in through the pages; domain fixtures live in ``tests/fixtures``.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from auth import admin
from auth.models import Organisation, User
from core.config import Settings
from core.permissions import Role
from core.security import Actor

_counter = itertools.count(1)
PASSWORD = "violet harbour seventeen kites"


@dataclass
class Account:
    user: User
    password: str
    totp_secret: str | None

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, Role(self.user.role), self.user.organisation_id)

    def code(self) -> str:
        assert self.totp_secret is not None
        return totp_now(self.totp_secret)


def settings_of(app: Flask) -> Settings:
    """The app's settings, as routes get them with ``core.config.current_settings``."""
    settings: Settings = app.config["HOMEWARD_SETTINGS"]
    return settings


@contextmanager
def override_settings(app: Flask, **changes: Any) -> Iterator[Settings]:
    """Run with the app's Settings replaced (``dataclasses.replace``), then put them back.

    The way tests change a setting: services read it from the Settings a route passes them,
    never from loose ``app.config`` keys.
    """
    previous = settings_of(app)
    changed = replace(previous, **changes)
    app.config["HOMEWARD_SETTINGS"] = changed
    try:
        yield changed
    finally:
        app.config["HOMEWARD_SETTINGS"] = previous


def totp_now(secret: str, offset_steps: int = 0) -> str:
    """A code for the current step (or a neighbouring one, to avoid the replay guard)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def make_organisation(
    app: Flask, db: Session, *, agency: bool = True, provider: bool = False, code: str | None = None
) -> Organisation:
    with app.app_context():
        org = admin.create_organisation(
            db,
            None,
            name=f"Organisation {next(_counter)}",
            code=code or f"O{next(_counter)}",
            country="XK",
            is_case_agency=agency,
            is_provider=provider,
        )
        db.commit()
    return org


def make_account(
    app: Flask,
    db: Session,
    role: Role | str,
    *,
    organisation: Organisation | None = None,
    mfa: bool = True,
    password: str = PASSWORD,
    email: str | None = None,
) -> Account:
    role = Role(role)
    if organisation is None:
        organisation = make_organisation(
            app, db, agency=role is not Role.PROVIDER_STAFF, provider=role is Role.PROVIDER_STAFF
        )
    n = next(_counter)
    with app.app_context():
        user = admin.create_user(
            db,
            None,
            email=email or f"{role.value}{n}@example.org",
            display_name=f"Test {role.value.title()} {n}",
            organisation=organisation,
            role=role,
            password=password,
            settings=settings_of(app).auth,
        )
        secret = admin.enrol_totp_directly(db, user) if mfa else None
        db.commit()
    return Account(user, password, secret)


def forget_totp_step(db: Session, account: Account) -> None:
    """Let the account's current TOTP code be used again (tests sign in several times a step)."""
    db.execute(update(User).where(User.id == account.user.id).values(totp_last_step=None))
    db.commit()


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path`` (fetched with a GET, as a browser would)."""
    body = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(
    client: FlaskClient,
    path: str,
    data: dict[str, Any],
    token_from: str | None = None,
    *,
    token: str | None = None,
    **kwargs: Any,
):
    """POST ``data`` with a CSRF token: ``token`` if given, else one read from ``token_from``
    (default: ``path`` itself). Extra keyword arguments go to ``client.post``."""
    if token is None:
        token = csrf_token(client, token_from or path)
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def sign_in(client: FlaskClient, account: Account, db: Session | None = None):
    """Sign in through the real pages: password, then the TOTP code. Returns the last response."""
    if db is not None:
        forget_totp_step(db, account)
    response = post_form(client, "/login", {"email": account.email, "password": account.password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if account.totp_secret is None:
        return response
    assert response.headers["Location"].endswith("/login/second-factor")
    response = post_form(client, "/login/second-factor", {"code": account.code()})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def shown_secret(client: FlaskClient, path: str) -> str:
    """The authenticator key an enrolment page shows (as a person would copy it)."""
    body = client.get(path).get_data(as_text=True)
    match = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body)
    assert match, f"no authenticator key on {path}"
    return match.group(1)


def count_statements(app: Flask, client: FlaskClient, path: str) -> int:
    """How many SQL statements a GET of ``path`` runs (it must answer 200)."""
    engine = app.extensions["homeward_db"].engine
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen)
