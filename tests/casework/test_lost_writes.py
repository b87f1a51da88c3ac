"""Lost concurrent writes and check-then-insert races, made deterministic on both databases.

A concurrent request is simulated inside the request under test: a mapper hook changes the
row (as another request's commit would) just before this request's UPDATE, or a pending
request is already stored although this request's check found none (as when both checked
before either inserted). The loser must get a clear 409 or message, never a 500, and nothing
of its write may be kept. The real parallel versions run on PostgreSQL in
``test_casework_races_pg.py``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select, update

from audit.models import AuditEvent
from casework import transfers
from casework.closure import services as closure_services
from casework.closure.models import CaseClosure
from casework.erasure import erase_person
from casework.models import Case, CaseTransfer, Person
from casework.planning import services as planning_services
from casework.planning.models import Plan
from casework.subject_rights import services as erasure_services
from casework.subject_rights.models import ErasureRequest
from casework.vocabulary import Stage
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA
from tests.casework.planning_helpers import planned_case, record_assessment, review, start_plan
from tests.factories import csrf_token, make_account, make_organisation, post_form, sign_in

CLOSURE = {"reason": "lost_contact", "summary": "No answer for three months."}


def _case_id(url: str) -> uuid.UUID:
    return uuid.UUID(url.rsplit("/", 1)[1])


def _actor(account) -> Actor:
    user = account.user
    return Actor(user.id, Role(user.role), user.organisation_id)


def _count(db_session, model, *where: Any) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _actions(db_session, action: str) -> int:
    return _count(db_session, AuditEvent, AuditEvent.action == action)


@contextmanager
def saved_elsewhere(model: type) -> Iterator[None]:
    """Another request's save of the same row lands just before this request's UPDATE."""
    table = model.__table__  # type: ignore[attr-defined]
    done: list[bool] = []

    def bump(_mapper: Any, connection: Any, target: Any) -> None:
        if not done:
            done.append(True)
            connection.execute(
                update(table).where(table.c.id == target.id).values(version=table.c.version + 1)
            )

    event.listen(model, "before_update", bump)
    try:
        yield
    finally:
        event.remove(model, "before_update", bump)


# -- L1: a lost concurrent write answers 409, not 500 -----------------------------------------


def _version_on(body: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', body) or re.search(
        r'value="(\d+)"[^>]*name="version"', body
    )
    assert match, "no version field on the page"
    return match.group(1)


def test_person_edit_lost_to_a_concurrent_save_answers_409(db_session, client, farida):
    page = client.get(f"{farida}/person").get_data(as_text=True)
    data = {**FARIDA, "phone": "+93 700 999 999", "version": _version_on(page)}
    data.pop("vulnerabilities")
    with saved_elsewhere(Person):
        response = post_form(client, f"{farida}/person", data)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "+93 700 123 456" in body  # what is stored, beside the user's input
    assert "+93 700 999 999" in body
    assert _actions(db_session, "person.updated") == 0


def test_case_edit_lost_to_a_concurrent_save_answers_409(db_session, client, farida):
    page = client.get(f"{farida}/details").get_data(as_text=True)
    data = {
        "case_type": "presumed_victim",
        "event_date": "2026-10-01",
        "place": "Kabul airport",
        "referring_source": "Border police",
        "vulnerabilities": ["trafficking_victim"],
        "risk_level": "medium",
        "version": _version_on(page),
    }
    with saved_elsewhere(Case):
        response = post_form(client, f"{farida}/details", data)
    assert response.status_code == 409
    assert "Islam Qala border point" in response.get_data(as_text=True)
    assert _actions(db_session, "case.updated") == 0


def test_plan_review_lost_to_a_concurrent_save_answers_409(
    app, db_session, client, farida, supervisor
):
    planned_case(client, farida)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    with saved_elsewhere(Plan):
        response = review(boss, farida, "approve")
    assert response.status_code == 409
    assert "The plan changed while you were reading it" in response.get_data(as_text=True)
    assert _actions(db_session, "plan.approved") == 0


def test_reopen_lost_to_a_concurrent_reopen_answers_409(
    app, db_session, client, farida, supervisor
):
    assert post_form(client, f"{farida}/closure/request", CLOSURE).status_code == 302
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    closure = db_session.scalar(select(CaseClosure))
    decided = post_form(boss, f"{farida}/closure/{closure.id}", {"decision": "approve"})
    assert decided.status_code == 302
    with saved_elsewhere(Case):
        response = post_form(
            client, f"{farida}/closure/reopen", {"reason": "She came back and asks for help."}
        )
    assert response.status_code == 409
    assert "Someone else changed this just now" in response.get_data(as_text=True)
    assert _actions(db_session, "case.reopened") == 0
    case = db_session.get(Case, _case_id(farida))
    assert case.stage == Stage.CLOSED.value


def test_plan_started_twice_at_once_gives_a_message_not_a_500(
    db_session, client, farida, monkeypatch
):
    assert record_assessment(client, farida).status_code == 302
    assert start_plan(client, farida).status_code == 302
    # the second start checked before the first one stored its plan
    monkeypatch.setattr(planning_services, "get_plan", lambda db, case: None)
    token = csrf_token(client, farida)
    response = client.post(f"{farida}/plan/start", data={"csrf_token": token})
    assert response.status_code == 302
    monkeypatch.undo()
    assert "This case has a plan already." in client.get(farida).get_data(as_text=True)
    assert _count(db_session, Plan) == 1
    assert _actions(db_session, "plan.started") == 1


# -- M2: a transfer is answered once ----------------------------------------------------------


def _offer(app, db_session, farida, supervisor):
    receiving_org = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=receiving_org)
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    response = post_form(
        sender, f"{farida}/transfer", {"organisation": str(receiving_org.id)}, token_from=farida
    )
    assert response.status_code == 302
    return receiver


def _answered_elsewhere(db_session, transfer_id: uuid.UUID, status: str) -> None:
    """Another request's committed answer; this session's loaded object is not refreshed."""
    table = CaseTransfer.__table__
    db_session.connection().execute(
        update(table).where(table.c.id == transfer_id).values(status=status)
    )


def test_transfer_declined_meanwhile_is_not_accepted(app, db_session, client, farida, supervisor):
    receiver = _offer(app, db_session, farida, supervisor)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    transfer = db_session.scalar(select(CaseTransfer))
    assert transfer.status == "pending"  # the accepting request has loaded it
    _answered_elsewhere(db_session, transfer.id, "declined")
    with app.test_request_context("/"):
        try:
            transfers.accept(db_session, _actor(receiver), transfer)
        except transfers.TransferConflict:
            pass
        else:
            raise AssertionError("a declined transfer was accepted too")
        db_session.flush()
    db_session.expire_all()
    assert db_session.get(CaseTransfer, transfer.id).status == "declined"
    case = db_session.get(Case, _case_id(farida))
    assert case.organisation_id == supervisor.user.organisation_id
    assert _actions(db_session, "case.transferred") == 0


def test_transfer_accepted_meanwhile_is_not_declined(app, db_session, client, farida, supervisor):
    receiver = _offer(app, db_session, farida, supervisor)
    transfer = db_session.scalar(select(CaseTransfer))
    _answered_elsewhere(db_session, transfer.id, "accepted")
    with app.test_request_context("/"):
        try:
            transfers.decline(db_session, _actor(receiver), transfer, "No capacity this month.")
        except transfers.TransferConflict:
            pass
        else:
            raise AssertionError("an accepted transfer was declined too")
        db_session.flush()
    db_session.expire_all()
    found = db_session.get(CaseTransfer, transfer.id)
    assert (found.status, found.decline_reason) == ("accepted", None)
    assert _actions(db_session, "case.transfer_declined") == 0


def test_second_answer_to_a_transfer_gets_a_409_page(app, db_session, farida, supervisor):
    receiver = _offer(app, db_session, farida, supervisor)
    transfer = db_session.scalar(select(CaseTransfer))
    first, second = app.test_client(), app.test_client()
    sign_in(first, receiver, db_session)
    sign_in(second, receiver, db_session)
    token = csrf_token(second, "/cases/")
    accepted = post_form(first, f"/cases/transfers/{transfer.id}/accept", {}, token_from="/cases/")
    assert accepted.status_code == 302
    late = second.post(
        f"/cases/transfers/{transfer.id}/decline",
        data={"reason": "No capacity this month.", "csrf_token": token},
    )
    assert late.status_code == 409
    assert "This transfer has been answered already." in late.get_data(as_text=True)
    assert _actions(db_session, "case.transfer_declined") == 0
    assert _actions(db_session, "access.denied") == 0


# -- L2: one pending request per case or person -----------------------------------------------


def test_closure_requested_twice_at_once_leaves_one_pending(
    db_session, client, farida, monkeypatch
):
    assert post_form(client, f"{farida}/closure/request", CLOSURE).status_code == 302
    # the second request checked before the first one stored its row
    monkeypatch.setattr(closure_services, "pending_closure", lambda db, case: None)
    response = post_form(client, f"{farida}/closure/request", CLOSURE)
    assert response.status_code == 200
    assert "A closure request is already waiting for a supervisor." in response.get_data(
        as_text=True
    )
    assert _count(db_session, CaseClosure, CaseClosure.status == "pending") == 1
    assert _actions(db_session, "closure.requested") == 1


def test_erasure_requested_twice_at_once_leaves_one_pending(
    app, db_session, farida, supervisor, monkeypatch
):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    path = f"{farida}/person-data/erasure"
    assert post_form(boss, path, {"reason": "person_request"}).status_code == 302
    monkeypatch.setattr(erasure_services, "pending_erasure", lambda db, person: None)
    response = post_form(boss, path, {"reason": "person_request"})
    assert response.status_code == 200
    assert "An erasure request is already waiting for confirmation." in response.get_data(
        as_text=True
    )
    assert _count(db_session, ErasureRequest, ErasureRequest.status == "pending") == 1
    assert _actions(db_session, "erasure.requested") == 1


def test_transfer_requested_twice_at_once_leaves_one_pending(
    app, db_session, farida, supervisor, monkeypatch
):
    receiver = _offer(app, db_session, farida, supervisor)
    monkeypatch.setattr(transfers, "pending_transfer", lambda db, case: None)
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    again = post_form(
        sender,
        f"{farida}/transfer",
        {"organisation": str(receiver.user.organisation_id)},
        token_from=farida,
    )
    assert again.status_code == 302
    assert _count(db_session, CaseTransfer, CaseTransfer.status == "pending") == 1
    assert _actions(db_session, "case.transfer_requested") == 1


def test_confirming_an_erasure_after_the_person_was_erased_writes_nothing(
    app, db_session, farida, supervisor, agency
):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    path = f"{farida}/person-data/erasure"
    assert post_form(boss, path, {"reason": "person_request"}).status_code == 302
    request = db_session.scalar(select(ErasureRequest))
    # meanwhile the person is erased another way (an earlier request, the retention job)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    with app.test_request_context("/"):
        person = db_session.get(Case, _case_id(farida)).person
        erase_person(db_session, None, person, "retention period ended")
        db_session.commit()
    second = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    other = app.test_client()
    sign_in(other, second, db_session)
    response = post_form(other, f"{path}/{request.id}", {})
    assert response.status_code < 500
    db_session.expire_all()
    # The erasure closed the waiting request (cancelled); confirming it wrote nothing more.
    assert db_session.get(ErasureRequest, request.id).status == "cancelled"
    assert _actions(db_session, "erasure.confirmed") == 0
    assert _actions(db_session, "person.erased") == 1


def test_error_page_renders_after_a_failed_flush(app, db_session, client, farida, monkeypatch):
    """An unexpected failure while writing leaves the session unusable; the 500 page (whose
    layout reads the database for the navigation counts) must still render."""

    def fail(*_args: Any) -> None:
        raise RuntimeError("the database went away mid-write")

    page = client.get(f"{farida}/person").get_data(as_text=True)
    data = {**FARIDA, "phone": "+93 700 999 999", "version": _version_on(page)}
    data.pop("vulnerabilities")
    token = csrf_token(client, f"{farida}/person")
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    event.listen(Person, "before_update", fail)
    try:
        response = client.post(f"{farida}/person", data={**data, "csrf_token": token})
    finally:
        event.remove(Person, "before_update", fail)
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert 'href="/cases/"' in body  # the layout's navigation rendered
    assert "database went away" not in body
