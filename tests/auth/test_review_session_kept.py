"""Review of the request's kept session row (auth.sessions.current_session_row keeps the row,
its user and organisation in the database session's ``info``): what changes between two
requests, or within one, is never hidden behind the kept row."""

from __future__ import annotations

from flask import Flask, request_finished
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from auth import sessions
from auth.models import Organisation, User
from core.db import get_session
from core.permissions import Role
from tests.factories import make_account, sign_in


def test_an_organisation_deactivated_between_requests_signs_its_staff_out(
    app: Flask, db_session: Session, client: FlaskClient
):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    assert client.get("/cases/").status_code == 200
    db_session.execute(
        update(Organisation)
        .where(Organisation.id == account.user.organisation_id)
        .values(active=False)
    )
    db_session.commit()
    assert client.get("/cases/").status_code == 302


def test_a_role_changed_in_bulk_between_requests_is_read_anew(
    app: Flask, db_session: Session, client: FlaskClient
):
    """The role is taken from the user row read in this request (no session end here: a
    bulk change, as a migration or a support script would make it)."""
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    assert client.get("/cases/").status_code == 200
    db_session.execute(update(User).where(User.id == account.user.id).values(role="auditor"))
    db_session.commit()
    assert client.get("/cases/").status_code == 403


def test_each_request_reads_the_row_in_its_own_session(
    app: Flask, db_session: Session, client: FlaskClient
):
    """The kept row lives in one request's database session: the next request's session
    holds nothing of it (no row, user or organisation object carried over)."""
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    seen: list[tuple[Session, object]] = []  # kept alive: no id is reused

    def _remember(_sender: Flask, **_extra: object) -> None:
        db = get_session()
        seen.append((db, db.info.get("homeward_session_row")))

    with request_finished.connected_to(_remember, app):
        client.get("/cases/")
        client.get("/cases/")
    (first_db, first_row), (second_db, second_row) = seen
    assert first_db is not second_db
    assert first_row is not None and second_row is not None
    assert first_row is not second_row


def test_sign_out_everywhere_within_the_request_shows_on_the_kept_row(
    app: Flask, db_session: Session
):
    """A request reads its row (kept), then ends every session of its user in bulk: the
    kept row says so when it is asked again in the same request."""
    from flask import session

    account = make_account(app, db_session, Role.CASEWORKER)
    with app.test_request_context("/"):
        db = get_session()
        sessions.start_session(db, db.get(User, account.user.id))  # type: ignore[arg-type]
        token = session.get(sessions.COOKIE_KEY)
        db.commit()
    with app.test_request_context("/"):
        session[sessions.COOKIE_KEY] = token
        db = get_session()
        kept = sessions.current_session_row(db)
        assert kept is not None and kept.ended_at is None
        assert sessions.end_all_sessions(db, account.user.id, "signed_out_everywhere") == 1
        again = sessions.current_session_row(db)
        assert again is kept
        assert again.ended_at is not None and again.end_reason == "signed_out_everywhere"
