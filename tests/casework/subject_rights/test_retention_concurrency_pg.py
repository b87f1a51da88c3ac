"""Retention beside a supervisor confirming an erasure (PostgreSQL, two connections).

The confirmation locks the person, then takes the audit chain's lock at its commit. The
retention job took the chain's lock mid-run (an erasure's reads of the log write its queued
events) and kept it while it locked the next people: the two waited for each other and
PostgreSQL aborted the confirmation (second reader: DeadlockDetected in three runs of three).
Each person's erasure now commits on its own, so the job holds the chain's lock only to that
commit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from auth import admin
from casework.models import Case
from casework.services import CaseDetails, PersonDetails, register_case
from casework.subject_rights import retention, services
from casework.vocabulary import CaseType
from core.clock import utcnow
from core.db import Database
from core.permissions import Role
from core.security import Actor
from tests.casework.subject_rights.test_retention_recheck import _closed
from tests.factories import make_organisation
from tests.referrals.test_concurrency import scratch_app  # noqa: F401

pytestmark = pytest.mark.postgres_only


def _three_people_due(app) -> tuple[list, object, Actor]:
    """Three people whose one case closed six years ago; the third's erasure asked for."""
    database: Database = app.extensions["homeward_db"]
    with app.test_request_context("/"), database.session_scope() as db:
        org = make_organisation(app, db)
        roles = [Role.CASEWORKER, Role.SUPERVISOR, Role.SUPERVISOR]
        users = [
            admin.create_user(
                db,
                None,
                email=f"retention{n}@example.org",
                display_name=f"R{n}",
                organisation=org,
                role=role,
            )
            for n, role in enumerate(roles)
        ]
        db.flush()
        worker, asker, confirmer = (
            Actor(u.id, r, org.id) for u, r in zip(users, roles, strict=True)
        )
        cases = [
            register_case(
                db,
                worker,
                PersonDetails(name_original=f"Person {n}"),
                [],
                CaseDetails(case_type=CaseType.RETURNEE),
            )
            for n in "ABC"
        ]
        db.flush()
        request = services.request_erasure(db, asker, cases[2], "person_request")
        db.flush()
        for case in cases:
            _closed(db, case, worker.user_id, utcnow() - timedelta(days=6 * 365))
        return [c.id for c in cases], request.id, confirmer


def test_retention_and_a_confirmation_of_the_last_person_both_finish(scratch_app, monkeypatch):  # noqa: F811
    app = scratch_app
    database: Database = app.extensions["homeward_db"]
    ids, request_id, confirmer = _three_people_due(app)
    locked, go = threading.Event(), threading.Event()
    decide = services._decide

    def decide_once_signalled(db, actor, request, status):
        locked.set()  # the confirmation holds the third person's lock
        go.wait(20)
        decide(db, actor, request, status)

    monkeypatch.setattr(services, "_decide", decide_once_signalled)
    monkeypatch.setattr(
        retention,
        "due_for_erasure",
        lambda db, _cutoff: [(c.person, [c]) for c in (db.get(Case, i) for i in ids)],
    )
    errors: list[BaseException] = []
    erased: list[int] = []

    def confirm() -> None:
        try:
            with app.test_request_context("/"), database.session_scope() as db:
                request = db.get(services.ErasureRequest, request_id)
                services.confirm_erasure(db, confirmer, db.get(Case, ids[2]), request)
        except BaseException as error:  # reported below
            errors.append(error)
            locked.set()

    def run() -> None:
        try:
            with app.test_request_context("/"), database.session_scope() as db:
                erased.append(retention.run_retention(db, 5, dry_run=False).people)
        except BaseException as error:  # reported below
            errors.append(error)

    confirming, job = threading.Thread(target=confirm), threading.Thread(target=run)
    confirming.start()
    assert locked.wait(20)
    job.start()
    time.sleep(1.0)  # the job erases the first two and waits for the third's lock
    go.set()
    confirming.join(30)
    job.join(30)
    assert errors == []
    assert erased == [2]  # the third was erased by the confirmation, found erased by the job
    with database.session_scope() as db:
        assert all(db.get(Case, i).person.erased_at is not None for i in ids)
