"""core.memo: a read kept for the rest of a request, dropped at the request's first write."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from auth.models import Organisation
from core.memo import remembered, remembered_list
from tests.factories import make_organisation


def _name(db: Session, org_id: object) -> str | None:
    return db.scalar(select(Organisation.name).where(Organisation.id == org_id))


def test_a_read_is_answered_once_a_request(app: Flask, db_session: Session, request_ctx: None):
    org = make_organisation(app, db_session)
    reads: list[int] = []

    def read() -> str | None:
        reads.append(1)
        return _name(db_session, org.id)

    first = remembered(db_session, ("name", org.id), read)
    again = remembered(db_session, ("name", org.id), read)
    assert first == again == org.name
    assert len(reads) == 1


def test_each_caller_gets_its_own_list(db_session: Session, request_ctx: None):
    kept = remembered_list(db_session, "numbers", lambda: [3, 1, 2])
    kept.sort()
    assert remembered_list(db_session, "numbers", lambda: [9]) == [3, 1, 2]


def test_a_flushed_change_drops_what_was_kept(app: Flask, db_session: Session, request_ctx: None):
    org = make_organisation(app, db_session)
    remembered(db_session, ("name", org.id), lambda: _name(db_session, org.id))
    org.name = "Renamed organisation"
    db_session.flush()
    assert remembered(db_session, ("name", org.id), lambda: _name(db_session, org.id)) == (
        "Renamed organisation"
    )


def test_nothing_is_answered_from_memory_while_changes_wait_to_be_flushed(
    app: Flask, db_session: Session, request_ctx: None
):
    org = make_organisation(app, db_session)
    remembered(db_session, ("name", org.id), lambda: _name(db_session, org.id))
    org.name = "Not flushed yet"  # the read below flushes it first (autoflush)
    assert remembered(db_session, ("name", org.id), lambda: _name(db_session, org.id)) == (
        "Not flushed yet"
    )


def test_a_write_statement_drops_what_was_kept(app: Flask, db_session: Session, request_ctx: None):
    org = make_organisation(app, db_session)
    remembered(db_session, ("name", org.id), lambda: _name(db_session, org.id))
    db_session.execute(
        update(Organisation).where(Organisation.id == org.id).values(name="Updated in bulk")
    )
    assert remembered(db_session, ("name", org.id), lambda: _name(db_session, org.id)) == (
        "Updated in bulk"
    )


def test_a_plain_select_keeps_what_was_kept(db_session: Session, request_ctx: None):
    remembered(db_session, "answer", lambda: 1)
    db_session.execute(text("SELECT 1"))
    assert remembered(db_session, "answer", lambda: 2) == 1


def test_a_rollback_drops_what_was_kept(db_session: Session, request_ctx: None):
    remembered(db_session, "answer", lambda: db_session.scalar(text("SELECT 1")))
    db_session.rollback()
    assert remembered(db_session, "answer", lambda: 2) == 2


def test_outside_a_request_nothing_is_kept(app: Flask, db_session: Session):
    with app.app_context():
        assert remembered(db_session, "answer", lambda: 1) == 1
        assert remembered(db_session, "answer", lambda: 2) == 2
