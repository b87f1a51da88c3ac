"""Parallel requests against one case on PostgreSQL: exactly one wins, every other one gets a
clear 409 or message, never a 500 (the attack's races, under real concurrent transactions).

Each racing request is held just before its first write of the contested row until all of
them have read the same state, so the race happens on every run instead of by chance.
"""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from audit.models import AuditEvent
from casework.closure.models import CaseClosure
from casework.models import Case, CaseTransfer
from casework.planning.models import Plan
from casework.subject_rights.models import ErasureRequest
from core import migrate
from core.app import create_app
from core.db import Database
from core.extensions import limiter
from core.permissions import Role
from tests import databases
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.planning_helpers import planned_case, record_assessment
from tests.conftest import make_settings
from tests.factories import (
    Account,
    csrf_token,
    make_account,
    make_organisation,
    post_form,
    sign_in,
)

pytestmark = pytest.mark.postgres_only
RACERS = 6
CLOSURE = {"reason": "lost_contact", "summary": "No answer for three months."}


@pytest.fixture(scope="module")
def race_app(backend, key_file, tmp_path_factory) -> Iterator[Flask]:
    if backend != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    url = databases.fresh_database(backend, tmp_path_factory.mktemp("race"), "cwrace")
    migrate.upgrade(url)
    application = create_app(make_settings(url, key_file))
    application.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 page, as under gunicorn
    yield application
    application.extensions["homeward_db"].engine.dispose()
    databases.drop_postgres(url)


class World:
    """Two case agencies with their staff, on the race app's own database."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.database: Database = app.extensions["homeward_db"]
        self.db = self.database.new_session()
        agency = make_organisation(app, self.db, agency=True)
        self.receiving = make_organisation(app, self.db, agency=True)
        self.worker = make_account(app, self.db, Role.CASEWORKER, organisation=agency)
        self.bosses = [
            make_account(app, self.db, Role.SUPERVISOR, organisation=agency) for _ in range(2)
        ]
        self.receivers = [
            make_account(app, self.db, Role.SUPERVISOR, organisation=self.receiving)
            for _ in range(2)
        ]

    def client(self, account: Account) -> FlaskClient:
        limiter.reset()
        client = self.app.test_client()
        sign_in(client, account, self.db)
        return client

    def clients(self, *accounts: Account) -> list[FlaskClient]:
        return [self.client(accounts[i % len(accounts)]) for i in range(RACERS)]

    def new_case(self) -> tuple[FlaskClient, str]:
        writer = self.client(self.worker)
        return writer, case_url(register(writer, FARIDA, confirm_new=True))

    def count(self, model: Any, *where: Any) -> int:
        self.db.expire_all()
        return self.db.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def audited(self, action: str, case_id: uuid.UUID) -> int:
        return self.count(AuditEvent, AuditEvent.action == action, AuditEvent.case_id == case_id)


@pytest.fixture(scope="module")
def world(race_app) -> Iterator[World]:
    found = World(race_app)
    yield found
    found.db.close()


def race(app: Flask, calls: list[Callable[[], Any]], hold_at: str) -> list[Any]:
    """Run ``calls`` in parallel threads; each waits before its first statement matching
    ``hold_at`` until every one has got there (or 10 s passed), then all go on at once."""
    engine = app.extensions["homeward_db"].engine
    pattern = re.compile(hold_at, re.IGNORECASE)
    everyone_read = threading.Barrier(len(calls))
    waiting: dict[int, bool] = {}

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        me = threading.get_ident()
        if waiting.get(me) and pattern.match(statement.lstrip()):
            waiting[me] = False
            with contextlib.suppress(threading.BrokenBarrierError):
                everyone_read.wait(timeout=10)

    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        waiting[threading.get_ident()] = True
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # reported by the assertions
            results[index] = exc

    event.listen(engine, "before_cursor_execute", hold)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    return results


def _codes(results: list[Any]) -> list[Any]:
    return sorted(
        (r.status_code if hasattr(r, "status_code") else repr(r) for r in results), key=str
    )


def _poster(client: FlaskClient, path: str, data: dict[str, Any], token_from: str):
    token = csrf_token(client, token_from)
    return lambda: post_form(client, path, data, token=token)


def test_transfer_accepted_and_declined_at_once_is_answered_once(world):
    _writer, url = world.new_case()
    sender = world.client(world.bosses[0])
    to = {"organisation": str(world.receiving.id)}
    assert _poster(sender, f"{url}/transfer", to, url)().status_code == 302
    transfer = world.db.scalar(select(CaseTransfer).where(CaseTransfer.case_id == _id(url)))
    clients = world.clients(*world.receivers)
    base = f"/cases/transfers/{transfer.id}"
    calls = [
        _poster(c, f"{base}/accept", {}, "/cases/")
        if i % 2
        else _poster(c, f"{base}/decline", {"reason": "No capacity."}, "/cases/")
        for i, c in enumerate(clients)
    ]
    codes = _codes(race(world.app, calls, r"UPDATE (casefile|case_transfer)\b"))
    assert codes == [302] + [409] * (RACERS - 1), codes
    world.db.expire_all()
    found = world.db.get(CaseTransfer, transfer.id)
    moved = world.db.get(Case, _id(url)).organisation_id == world.receiving.id
    # The stored ciphertext, not the decrypted text (this session has no key material).
    sealed = CaseTransfer.__table__.c.decline_reason
    no_reason = (
        world.db.scalar(select(sealed).where(CaseTransfer.__table__.c.id == transfer.id)) is None
    )
    assert (found.status, no_reason, moved) in {
        ("accepted", True, True),
        ("declined", False, False),
    }
    answers = world.audited("case.transferred", _id(url))
    answers += world.audited("case.transfer_declined", _id(url))
    assert answers == 1


def test_closure_requested_at_once_waits_once(world):
    writer, url = world.new_case()
    clients = [writer, *world.clients(world.worker)[1:]]
    calls = [
        _poster(c, f"{url}/closure/request", CLOSURE, f"{url}/closure/request") for c in clients
    ]
    results = race(world.app, calls, r"INSERT INTO case_closure\b")
    assert _codes(results) == [200] * (RACERS - 1) + [302], _codes(results)
    refused = [r for r in results if r.status_code == 200]
    assert all("A closure request is already waiting" in r.get_data(as_text=True) for r in refused)
    where = (CaseClosure.case_id == _id(url), CaseClosure.status == "pending")
    assert world.count(CaseClosure, *where) == 1
    assert world.audited("closure.requested", _id(url)) == 1


def test_erasure_requested_at_once_waits_once(world):
    _writer, url = world.new_case()
    path = f"{url}/person-data/erasure"
    calls = [
        _poster(c, path, {"reason": "person_request"}, path) for c in world.clients(*world.bosses)
    ]
    results = race(world.app, calls, r"INSERT INTO erasure_request\b")
    assert _codes(results) == [200] * (RACERS - 1) + [302], _codes(results)
    case = world.db.get(Case, _id(url))
    where = (ErasureRequest.person_id == case.person_id, ErasureRequest.status == "pending")
    assert world.count(ErasureRequest, *where) == 1


def test_person_edited_at_once_saves_once_and_shows_the_others_a_conflict(world):
    _writer, url = world.new_case()
    clients = world.clients(world.worker)
    version = str(world.db.get(Case, _id(url)).person.version)
    calls = []
    for i, client in enumerate(clients):
        data = {**FARIDA, "phone": f"+93 700 000 00{i}", "version": version}
        data.pop("vulnerabilities")
        calls.append(_poster(client, f"{url}/person", data, f"{url}/person"))
    codes = _codes(race(world.app, calls, r"UPDATE person\b"))
    assert codes == [302] + [409] * (RACERS - 1), codes
    assert world.audited("person.updated", _id(url)) == 1


def test_case_reopened_at_once_reopens_once(world):
    writer, url = world.new_case()
    assert _poster(writer, f"{url}/closure/request", CLOSURE, f"{url}/closure/request")()
    closure = world.db.scalar(select(CaseClosure).where(CaseClosure.case_id == _id(url)))
    boss = world.client(world.bosses[0])
    decide = f"{url}/closure/{closure.id}"
    assert _poster(boss, decide, {"decision": "approve"}, decide)().status_code == 302
    path = f"{url}/closure/reopen"
    reason = {"reason": "She came back and asks for help."}
    calls = [_poster(c, path, reason, path) for c in world.clients(world.worker)]
    codes = _codes(race(world.app, calls, r"UPDATE casefile\b"))
    assert codes == [302] + [409] * (RACERS - 1), codes
    assert world.audited("case.reopened", _id(url)) == 1


def test_plan_approved_at_once_is_decided_once(world):
    writer, url = world.new_case()
    planned_case(writer, url)
    calls = []
    for client in world.clients(*world.bosses):
        page = client.get(f"{url}/plan/review").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        shown = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
        data = {"decision": "approve", "comment": "", "version": shown, "csrf_token": token}
        calls.append(lambda client=client, data=data: client.post(f"{url}/plan/review", data=data))
    codes = _codes(race(world.app, calls, r"UPDATE reintegration_plan\b"))
    assert codes == [302] + [409] * (RACERS - 1), codes
    assert world.audited("plan.approved", _id(url)) == 1


def test_plan_started_at_once_starts_once(world):
    writer, url = world.new_case()
    assert record_assessment(writer, url).status_code == 302
    calls = [_poster(c, f"{url}/plan/start", {}, url) for c in world.clients(world.worker)]
    codes = _codes(race(world.app, calls, r"INSERT INTO reintegration_plan\b"))
    assert codes == [302] * RACERS, codes
    assert world.count(Plan, Plan.case_id == _id(url)) == 1
    assert world.audited("plan.started", _id(url)) == 1


def _id(url: str) -> uuid.UUID:
    return uuid.UUID(url.rsplit("/", 1)[1])


def test_the_first_two_case_numbers_of_a_year_drawn_at_once_both_succeed(world):
    """No counter row to lock yet: both registrations insert it; the second must not fail."""
    from casework.models import CaseNumberCounter
    from casework.services import next_case_number

    organisation = make_organisation(world.app, world.db, agency=True)
    both_found_none = threading.Barrier(2)

    def after_both_found_none(*_args: Any) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_found_none.wait(timeout=10)

    numbers: list[str] = []
    errors: list[BaseException] = []

    def draw() -> None:
        try:
            with world.app.app_context(), world.database.session_scope() as db:
                numbers.append(next_case_number(db, db.merge(organisation), 2026))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    event.listen(CaseNumberCounter, "before_insert", after_both_found_none)
    try:
        threads = [threading.Thread(target=draw) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(CaseNumberCounter, "before_insert", after_both_found_none)
    assert errors == [], [type(e).__name__ for e in errors]
    assert sorted(numbers) == [f"{organisation.code}-2026-00000{i}" for i in (1, 2)]
