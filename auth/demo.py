"""Demo organisations and one account per role (development only)."""

from __future__ import annotations

import sys

import click
import pyotp
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import admin
from auth.models import Organisation, User
from core.commands import DemoAccount, DemoContext, DemoStep
from core.config import current_settings
from core.db import current_db
from core.permissions import Role

#: Fixed, documented passphrases so a tester can sign in from the README; never in production.
DEMO_USERS = [
    (
        "caseworker@demo.homeward.test",
        "Amina Caseworker",
        "AGENCY",
        Role.CASEWORKER,
        "lantern orchard copper fjord",
    ),
    (
        "caseworker2@demo.homeward.test",
        "Bekzod Caseworker",
        "AGENCY",
        Role.CASEWORKER,
        "saffron tundra violin harbour",
    ),
    (
        "supervisor@demo.homeward.test",
        "Chiara Supervisor",
        "AGENCY",
        Role.SUPERVISOR,
        "meadow glacier pepper anchor",
    ),
    (
        "provider@demo.homeward.test",
        "Dawit Provider",
        "CLINIC",
        Role.PROVIDER_STAFF,
        "cobalt willow trumpet canyon",
    ),
    (
        "auditor@demo.homeward.test",
        "Elif Auditor",
        "AGENCY",
        Role.AUDITOR,
        "thistle beacon marble quiver",
    ),
    (
        "admin@demo.homeward.test",
        "Farid Administrator",
        "AGENCY",
        Role.ADMINISTRATOR,
        "juniper falcon basalt rhythm",
    ),
    (
        "supervisor2@demo.homeward.test",
        "Gulnara Supervisor",
        "NGO",
        Role.SUPERVISOR,
        "harvest lagoon cipher meadowlark",
    ),
    (
        "supervisor3@demo.homeward.test",
        "Ilir Supervisor",
        "AGENCY",
        Role.SUPERVISOR,
        "granite poppy lantern echo",
    ),
    (
        "provider2@demo.homeward.test",
        "Hanna Provider",
        "HAVEN",
        Role.PROVIDER_STAFF,
        "ember quarry nightingale atlas",
    ),
    (
        # The national figures (every organisation, aggregated) and nothing else; an analyst
        # belongs to the national agency and opens no case.
        "analyst@demo.homeward.test",
        "Jonas Analyst",
        "AGENCY",
        Role.ANALYST,
        "walnut prism tidal kestrel",
    ),
]

DEMO_ORGANISATIONS = [
    ("AGENCY", "Returns and Reintegration Directorate (demo)", "XK", True, False),
    ("CLINIC", "Hope Psychosocial Centre (demo)", "XK", False, True),
    ("NGO", "Safe Return Network (demo)", "XK", True, False),
    ("HAVEN", "Haven Reintegration Services (demo)", "DE", False, True),
]


def load_demo(session: Session, context: DemoContext) -> None:
    orgs: dict[str, Organisation] = {}
    for code, name, country, agency, provider in DEMO_ORGANISATIONS:
        orgs[code] = admin.create_organisation(
            session,
            None,
            name=name,
            code=code,
            country=country,
            is_case_agency=agency,
            is_provider=provider,
        )
    context.objects["organisations"] = orgs
    users: dict[str, User] = {}
    for email, name, org_code, role, password in DEMO_USERS:
        user = admin.create_user(
            session,
            None,
            email=email,
            display_name=name,
            organisation=orgs[org_code],
            role=role,
            password=password,
            settings=context.settings.auth,
        )
        secret = admin.enrol_totp_directly(session, user)
        users[email] = user
        context.accounts.append(DemoAccount(email, password, role.value, secret))
    context.objects["users"] = users


def demo_present(_sender: object, session: Session, **_extra: object) -> bool:
    """Receiver of ``core.signals.demo_present_checking``: the demo accounts exist."""
    return session.scalar(select(User.id).where(User.email == DEMO_USERS[0][0])) is not None


@click.command("demo-code")
@with_appcontext
@click.argument("email")
def demo_code(email: str) -> None:
    """Print the current second-factor code of a demo account (development only)."""
    if current_settings().is_production or not email.endswith("@demo.homeward.test"):
        click.echo("homeward: demo-code works for demo accounts in development only", err=True)
        sys.exit(1)
    with current_db().session_scope() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None or user.totp_secret is None:
            click.echo("homeward: no such demo account with a second factor", err=True)
            sys.exit(1)
        click.echo(pyotp.TOTP(user.totp_secret).now())


def demo_step(_sender: object, **_extra: object) -> DemoStep:
    """Receiver of ``core.signals.demo_steps_collecting``: this package's demo data."""
    return DemoStep(10, load_demo)
