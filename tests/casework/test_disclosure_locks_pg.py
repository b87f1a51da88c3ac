"""The disclosure budget serialises one user, never the country (PostgreSQL).

A duplicate check that names another organisation spends one of the user's disclosures; it
used to take the audit chain's lock to count them, and held it to the commit. Every other
request's commit then waited, and a registration already holding its organisation's case
number counter waited for the chain while the check's registration waited for the counter:
a deadlock, seen in the served registration benchmark (`bench/registrations_served.py`),
one registration in 350 lost with a 503. The budget now takes a lock of its user's only.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import select, text

from audit.models import AuditEvent
from audit.services import CHAIN_LOCK_KEY
from audit.verify import verify_chain
from auth import admin
from casework import disclosure, duplicates, services
from casework.vocabulary import CaseType
from core.db import Database
from core.permissions import Role
from core.security import Actor
from tests.referrals.test_concurrency import scratch_app  # noqa: F401 - fixture

pytestmark = pytest.mark.postgres_only
NAME = "Farida Nazari"


def _organisation(db, code: str):
    return admin.create_organisation(
        db, None, name=f"Agency {code}", code=code, country="XK",
        is_case_agency=True, is_provider=False,
    )  # fmt: skip


def _caseworker(db, org, n: int) -> Actor:
    user = admin.create_user(
        db, None, email=f"w{n}@example.org", display_name=f"W{n}", organisation=org,
        role=Role.CASEWORKER,
    )  # fmt: skip
    db.flush()
    return Actor(user.id, Role.CASEWORKER, org.id)


def _setup(app) -> tuple[Actor, Actor, Actor]:
    """Agency B holds Farida; two caseworkers of agency A (and B's)."""
    database: Database = app.extensions["homeward_db"]
    with app.test_request_context("/"), database.session_scope() as db:
        a, b = _organisation(db, "AGA"), _organisation(db, "AGB")
        first, second, holder = _caseworker(db, a, 1), _caseworker(db, a, 2), _caseworker(db, b, 3)
        _register(db, holder, NAME)
        _register(db, second, "Mahbooba Rahimi")  # agency A's case number counter exists
        return first, second, holder


def _register(db, actor: Actor, name: str) -> None:
    services.register_case(
        db,
        actor,
        services.PersonDetails(name_original=name),
        [],
        services.CaseDetails(case_type=CaseType.RETURNEE),
    )


def _libpq(app) -> str:
    url = app.extensions["homeward_db"].engine.url
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _try_lock(app, *key: object) -> bool:
    """Whether another connection can take this advisory lock now (released at once)."""
    with psycopg.connect(_libpq(app), autocommit=True) as other:
        args = ", ".join(["%s"] * len(key))
        taken = other.execute(f"SELECT pg_try_advisory_lock({args})", key).fetchone()[0]
        if taken:
            other.execute(f"SELECT pg_advisory_unlock({args})", key)
        return bool(taken)


def _user_key(app, user_id: uuid.UUID) -> tuple[int, int]:
    with psycopg.connect(_libpq(app), autocommit=True) as other:
        hashed = other.execute("SELECT hashtext(%s)", (str(user_id),)).fetchone()[0]
    return disclosure.USER_LOCK_NAMESPACE, hashed


def test_a_disclosure_holds_its_users_lock_and_not_the_chains(scratch_app):  # noqa: F811
    first, second, _holder = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    with scratch_app.test_request_context("/"), database.session_scope() as db:
        found = duplicates.find_possible_duplicates(
            db, first, services.PersonDetails(name_original=NAME), []
        )
        assert [o.code for o in found.elsewhere] == ["AGB"] and not found.withheld
        # Until this transaction ends: every other request may append to the chain, and
        # another user may spend a disclosure and commit; this user's next check waits.
        assert _try_lock(scratch_app, CHAIN_LOCK_KEY)
        with database.session_scope() as colleague:
            other = duplicates.find_possible_duplicates(
                colleague, second, services.PersonDetails(name_original=NAME), []
            )
            assert [o.code for o in other.elsewhere] == ["AGB"]
        assert not _try_lock(scratch_app, *_user_key(scratch_app, first.user_id))
    assert _try_lock(scratch_app, *_user_key(scratch_app, first.user_id))
    with scratch_app.app_context(), database.session_scope() as db:
        disclosed = db.scalars(
            select(AuditEvent.actor_user_id).where(
                AuditEvent.action == "person.duplicate_disclosed"
            )
        )
        assert sorted(map(str, disclosed)) == sorted([str(first.user_id), str(second.user_id)])


def test_the_transactions_own_lock_timeout_is_put_back(scratch_app):  # noqa: F811
    """The user's lock is waited for at most as long as the chain's; what the transaction
    waits for afterwards (the case number counter's row) keeps its own bound."""
    first, _second, _holder = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    with scratch_app.test_request_context("/"), database.session_scope() as db:
        db.execute(text("SET LOCAL lock_timeout = '7s'"))
        duplicates.find_possible_duplicates(
            db, first, services.PersonDetails(name_original=NAME), []
        )
        assert db.execute(text("SHOW lock_timeout")).scalar_one() == "7s"
        assert not _try_lock(scratch_app, *_user_key(scratch_app, first.user_id))


def _waiting_for_a_lock(app, timeout: float = 10.0) -> bool:
    """Whether some backend of the test database is waiting for a lock (polled)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(_libpq(app), autocommit=True) as other:
        while time.monotonic() < deadline:
            waiting = other.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                return True
            time.sleep(0.05)
    return False


def test_a_registration_naming_another_agency_and_a_colleagues_do_not_deadlock(
    scratch_app,  # noqa: F811
):
    """The colleague's registration holds the case number counter's row (SELECT ... FOR
    UPDATE); this one discloses, then waits for that row; the colleague commits (taking the
    chain's lock) and both land."""
    first, second, _holder = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    errors: list[BaseException] = []
    disclosed = threading.Event()

    def registration_that_discloses() -> None:
        try:
            with scratch_app.test_request_context("/"), database.session_scope() as db:
                found = duplicates.find_possible_duplicates(
                    db, first, services.PersonDetails(name_original=NAME), []
                )
                assert found.elsewhere
                disclosed.set()
                _register(db, first, NAME)  # waits for the colleague's counter row
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            disclosed.set()

    with scratch_app.test_request_context("/"), database.session_scope() as db:
        _register(db, second, "Gulalai Ahmadzai")
        db.flush()  # the counter's row is locked until this commits
        thread = threading.Thread(target=registration_that_discloses)
        thread.start()
        assert disclosed.wait(timeout=20)
        assert _waiting_for_a_lock(scratch_app), "the disclosing registration never waited"
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == [], [str(e)[:300] for e in errors]
    with scratch_app.app_context(), database.session_scope() as db:
        actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert actions.count("case.created") == 4
        assert "person.duplicate_disclosed" in actions
        assert verify_chain(db).intact
        numbers = db.execute(text("SELECT case_number FROM casefile ORDER BY case_number"))
        assert len({n for (n,) in numbers}) == 4


def test_disclosures_recorded_in_the_same_transaction_are_counted(scratch_app):  # noqa: F811
    """A family registered in one go: the second member's check counts the first's
    disclosure, queued for the commit, not yet in the table."""
    first, _second, _holder = _setup(scratch_app)
    database: Database = scratch_app.extensions["homeward_db"]
    budget = disclosure.DisclosureBudget(limit=1, window_hours=24)
    details = services.PersonDetails(name_original=NAME)
    with scratch_app.test_request_context("/"), database.session_scope() as db:
        one = duplicates.find_possible_duplicates(db, first, details, [], budget)
        two = duplicates.find_possible_duplicates(db, first, details, [], budget)
        assert (one.withheld, two.withheld) == (False, True)
        assert two.elsewhere == []
        assert _try_lock(scratch_app, CHAIN_LOCK_KEY)
    with scratch_app.app_context(), database.session_scope() as db:
        actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert actions.count("person.duplicate_disclosed") == 1
        assert actions.count("person.duplicate_withheld") == 1
