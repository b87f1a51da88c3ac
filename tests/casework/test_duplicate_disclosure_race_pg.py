"""Parallel duplicate checks of one user cannot spend the last disclosure twice (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from auth import admin
from casework import disclosure, duplicates, services
from casework.vocabulary import CaseType
from core.db import Database
from core.permissions import Role
from core.security import Actor
from tests.referrals.test_concurrency import scratch_app  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres_only
CHECKS = 6


def _setup(app) -> Actor:
    """Agency B holds a person; returns a caseworker of agency A."""
    database: Database = app.extensions["homeward_db"]
    with app.test_request_context("/"), database.session_scope() as db:
        orgs = [
            admin.create_organisation(
                db,
                None,
                name=f"Agency {c}",
                code=f"AG{c}",
                country="XK",
                is_case_agency=True,
                is_provider=False,
            )
            for c in "AB"
        ]
        users = [
            admin.create_user(
                db,
                None,
                email=f"w{i}@example.org",
                display_name=f"W{i}",
                organisation=org,
                role=Role.CASEWORKER,
            )
            for i, org in enumerate(orgs)
        ]
        db.flush()
        holder = Actor(users[1].id, Role.CASEWORKER, orgs[1].id)
        services.register_case(
            db,
            holder,
            services.PersonDetails(name_original="Farida Nazari"),
            [],
            services.CaseDetails(case_type=CaseType.RETURNEE),
        )
        return Actor(users[0].id, Role.CASEWORKER, orgs[0].id)


def test_parallel_checks_disclose_at_most_the_limit(scratch_app, monkeypatch):  # noqa: F811
    actor = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    budget = disclosure.DisclosureBudget(limit=1, window_hours=24)
    together = threading.Barrier(CHECKS)
    real_lock = disclosure.lock_user

    def lock_together(db, user_id):
        together.wait(timeout=20)  # every check has matched before any takes the lock
        real_lock(db, user_id)

    monkeypatch.setattr(disclosure, "lock_user", lock_together)
    results: list[bool] = []
    errors: list[BaseException] = []

    def check() -> None:
        try:
            with scratch_app.test_request_context("/"), database.session_scope() as db:
                found = duplicates.find_possible_duplicates(
                    db, actor, services.PersonDetails(name_original="Farida Nazari"), [], budget
                )
                results.append(found.withheld)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(CHECKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], [str(e)[:200] for e in errors]
    assert sorted(results) == [False] + [True] * (CHECKS - 1)
    with scratch_app.app_context(), database.session_scope() as db:
        disclosed = db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "person.duplicate_disclosed")
        )
        assert disclosed == 1
