"""``homeward create-admin``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from auth import admin
from auth.models import Organisation
from auth.passwords import PasswordRejected
from core.config import current_settings
from core.db import current_db
from core.permissions import Role


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organisation-code", default="ADMIN", show_default=True)
@click.option("--organisation-name", default="Homeward administration", show_default=True)
@click.option("--country", default="XX", show_default=True)
@click.password_option(help="At least 15 characters; prompted for when not given.")
def create_admin(
    email: str,
    display_name: str,
    organisation_code: str,
    organisation_name: str,
    country: str,
    password: str,
) -> None:
    """Create an administrator (and their organisation if needed).

    The administrator sets up their second factor at first sign-in.
    """
    try:
        with current_db().session_scope() as session:
            org = session.scalar(
                select(Organisation).where(Organisation.code == organisation_code.upper())
            )
            if org is None:
                org = admin.create_organisation(
                    session,
                    None,
                    name=organisation_name,
                    code=organisation_code,
                    country=country,
                    is_case_agency=True,
                    is_provider=False,
                )
            user = admin.create_user(
                session,
                None,
                email=email,
                display_name=display_name,
                organisation=org,
                role=Role.ADMINISTRATOR,
                password=password,
                settings=current_settings().auth,
            )
            click.echo(
                f"administrator {user.email} created; second factor is set up at first sign-in"
            )
    except (admin.AdminError, PasswordRejected) as exc:
        click.echo(f"homeward: {exc}", err=True)
        sys.exit(1)
