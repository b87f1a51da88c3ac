"""Retention chooses the people due in one read and erases them one by one: each is read
again under locks first, so a case reopened (or reopened and closed again), a case added or
an erasure made meanwhile keeps the person from being erased by a stale choice (review of
core.sqlite_writer: on SQLite the job no longer holds the write lock from its first read, as
on PostgreSQL it never held any). Each erasure commits on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from casework.closure.models import CaseClosure
from casework.models import Case
from casework.subject_rights import retention
from core.clock import utcnow
from core.crypto.keyring import EXTENSION_KEY, bind_crypto
from tests.casework.helpers import FARIDA, register
from tests.factories import sign_in

YEARS = 5


def _closed(db_session, case: Case, user_id, when) -> None:
    closure = CaseClosure(
        case_id=case.id,
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        reason="goals_met",
        requested_by_id=user_id,
        decided_by_id=user_id,
        decided_at=when,
        status="approved",
    )
    closure.summary = "Closed"
    db_session.add(closure)
    db_session.execute(update(Case).where(Case.id == case.id).values(stage="closed"))


@pytest.fixture
def chosen(app, db_session, client, caseworker, monkeypatch):
    """A case closed six years ago, whose person the job chose in its one read."""
    sign_in(client, caseworker, db_session)
    register(client, FARIDA)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.scalar(select(Case))
    _closed(db_session, case, caseworker.user.id, utcnow() - timedelta(days=6 * 365))
    db_session.commit()
    cutoff = retention.years_before(utcnow(), YEARS)
    assert [p.id for p, _cases in retention.due_for_erasure(db_session, cutoff)] == [case.person_id]
    monkeypatch.setattr(retention, "due_for_erasure", lambda _db, _cutoff: [(case.person, [case])])
    return case


def _run(app, db_session):
    with app.test_request_context("/"):
        report = retention.run_retention(db_session, YEARS, dry_run=False)
    db_session.commit()
    db_session.expire_all()
    return report


def test_a_person_still_due_is_erased(app, db_session, chosen):
    assert _run(app, db_session).people == 1
    assert db_session.get(Case, chosen.id).person.erased_at is not None


def test_a_case_reopened_after_the_choice_keeps_its_person(app, db_session, chosen):
    db_session.execute(update(Case).where(Case.id == chosen.id).values(stage="monitoring"))
    db_session.commit()
    report = _run(app, db_session)
    assert report.people == 0 and report.case_numbers == []
    assert db_session.get(Case, chosen.id).person.erased_at is None


def test_a_case_reopened_and_closed_again_keeps_its_person(app, db_session, chosen, caseworker):
    _closed(db_session, chosen, caseworker.user.id, utcnow() - timedelta(days=1))
    db_session.commit()
    assert _run(app, db_session).people == 0
    assert db_session.get(Case, chosen.id).person.erased_at is None


def test_a_case_added_after_the_choice_keeps_its_person(app, db_session, chosen):
    db_session.add(
        Case(
            person_id=chosen.person_id,
            organisation_id=chosen.organisation_id,
            case_number=f"{chosen.case_number}-2",
            case_type=chosen.case_type,
            stage="closed",
        )
    )
    db_session.commit()
    assert _run(app, db_session).people == 0
    assert db_session.get(Case, chosen.id).person.erased_at is None
