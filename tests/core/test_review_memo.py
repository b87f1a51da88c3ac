"""Review of core.memo: a kept read is never answered after a write made in the same request
through another session or inside a savepoint that was rolled back, and nothing is carried
from one request to the next."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from auth.models import Organisation, User
from auth.queries import user_names
from core.db import current_db, get_session
from core.memo import remembered
from core.permissions import Role
from tests.factories import make_account, make_organisation


def _name(db: Session, org_id: object) -> str | None:
    return db.scalar(select(Organisation.name).where(Organisation.id == org_id))


def test_a_write_committed_through_another_session_drops_what_was_kept(
    app: Flask, db_session: Session
):
    org = make_organisation(app, db_session)
    with app.test_request_context("/"):
        db = get_session()
        assert remembered(db, ("name", org.id), lambda: _name(db, org.id)) == org.name
        with current_db().session_scope() as other:
            other.execute(
                update(Organisation).where(Organisation.id == org.id).values(name="Elsewhere")
            )
        assert remembered(db, ("name", org.id), lambda: _name(db, org.id)) == "Elsewhere"


def test_a_read_made_inside_a_rolled_back_savepoint_is_not_kept(app: Flask, db_session: Session):
    org = make_organisation(app, db_session)
    with app.test_request_context("/"):
        db = get_session()
        nested = db.begin_nested()
        db.execute(update(Organisation).where(Organisation.id == org.id).values(name="Undone"))
        assert remembered(db, ("name", org.id), lambda: _name(db, org.id)) == "Undone"
        nested.rollback()
        assert remembered(db, ("name", org.id), lambda: _name(db, org.id)) == org.name


def test_a_staff_name_changed_in_the_request_is_not_answered_from_memory(
    app: Flask, db_session: Session
):
    account = make_account(app, db_session, Role.CASEWORKER)
    with app.test_request_context("/"):
        db = get_session()
        assert user_names(db, {account.user.id}) == {account.user.id: account.user.display_name}
        db.execute(update(User).where(User.id == account.user.id).values(display_name="Renamed"))
        assert user_names(db, {account.user.id}) == {account.user.id: "Renamed"}
