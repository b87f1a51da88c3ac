"""Retention chooses the people due in one read and erases them one by one: each is read
again under locks first, so a case reopened, a case added or an erasure made meanwhile keeps
the person from being erased by a stale choice (review of core.sqlite_writer: on SQLite the
job no longer holds the write lock from its first read, as on PostgreSQL it never held any)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from casework.models import Case
from casework.subject_rights import retention
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import FARIDA, register
from tests.factories import sign_in


@pytest.fixture
def chosen(app, db_session, client, caseworker, monkeypatch):
    """A closed case whose person the job chose, then ``change(stage)`` of it meanwhile."""
    sign_in(client, caseworker, db_session)
    register(client, FARIDA)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.scalar(select(Case))
    db_session.execute(update(Case).where(Case.id == case.id).values(stage="closed"))
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    monkeypatch.setattr(retention, "due_for_erasure", lambda _db, _cutoff: [(case.person, [case])])
    return case


def _run(app, db_session):
    with app.test_request_context("/"):
        report = retention.run_retention(db_session, 5, dry_run=False)
    db_session.flush()
    db_session.expire_all()
    return report


def test_a_person_still_due_is_erased(app, db_session, chosen):
    assert _run(app, db_session).people == 1
    assert db_session.get(Case, chosen.id).person.erased_at is not None


def test_a_case_reopened_after_the_choice_keeps_its_person(app, db_session, chosen):
    db_session.execute(update(Case).where(Case.id == chosen.id).values(stage="monitoring"))
    report = _run(app, db_session)
    assert report.people == 0 and report.case_numbers == []
    assert db_session.get(Case, chosen.id).person.erased_at is None


def test_a_case_added_after_the_choice_keeps_its_person(app, db_session, chosen):
    second = Case(
        person_id=chosen.person_id,
        organisation_id=chosen.organisation_id,
        case_number=f"{chosen.case_number}-2",
        case_type=chosen.case_type,
        stage="closed",
    )
    db_session.add(second)
    db_session.flush()
    assert _run(app, db_session).people == 0
    assert db_session.get(Case, chosen.id).person.erased_at is None
