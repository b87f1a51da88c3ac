"""``homeward cases …``: operator commands of casework."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from audit import record
from casework.erasure import clear_plain_values, erase_person
from casework.models import Case, Person
from casework.services import CaseworkError
from core.db import current_db


@click.command("erase-person")
@click.argument("case_number")
@click.option("--reason", required=True, help="Why (e.g. the person's request of a date).")
@click.option("--yes", is_flag=True, help="Confirm: this cannot be undone.")
@with_appcontext
def erase_person_command(case_number: str, reason: str, yes: bool) -> None:
    """Erase the person of CASE_NUMBER (all their cases) by destroying their data key."""
    if not yes:
        click.echo("homeward: erasure cannot be undone; add --yes to confirm", err=True)
        sys.exit(2)
    with current_db().session_scope() as db:
        case = db.scalar(select(Case).where(Case.case_number == case_number.strip().upper()))
        if case is None:
            click.echo(f"homeward: no case {case_number}", err=True)
            sys.exit(1)
        try:
            case_ids = erase_person(db, None, case.person, reason)
        except CaseworkError as exc:
            click.echo(f"homeward: {exc}", err=True)
            sys.exit(1)
        click.echo(f"erased the person of {len(case_ids)} case(s); statistics kept")


@click.command("clear-erased")
@with_appcontext
def clear_erased_command() -> None:
    """Clear what erasures made before this release left plain (run once after upgrading).

    Erasure used to destroy the data key only: codes, exact dates, consent scope and
    shared-field rows of people erased then are still stored. This clears them as erasure
    does now (the skeleton of those cases cannot be completed: their key is gone). Safe to
    run again.
    """
    with current_db().session_scope() as db:
        people = list(db.scalars(select(Person.id).where(Person.erased_at.is_not(None))))
        for person_id in people:
            clear_plain_values(db, person_id)
        record(db, "person.erasure_completed", details={"people": len(people)})
        click.echo(f"cleared the plain values of {len(people)} erased people")
