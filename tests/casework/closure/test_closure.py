"""Closure needs a second person's approval; reopening; closed cases are read-only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.closure.models import CaseClosure, CaseReopening
from casework.models import Case
from casework.tasks import tasks_for
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import FARIDA
from tests.factories import make_account, post_form, settings_of, sign_in


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    """Let the test's own session decrypt (requests use the app's key material)."""
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


CLOSURE = {"reason": "support_period_ended", "summary": "Twelve months of support completed."}


def _case(db_session) -> Case:
    db_session.expire_all()
    return db_session.scalar(select(Case))


def _request(client, url: str, data: dict | None = None):
    return post_form(client, f"{url}/closure/request", data or CLOSURE)


def _decide_url(db_session, url: str) -> str:
    closure = db_session.scalar(select(CaseClosure).order_by(CaseClosure.requested_at.desc()))
    return f"{url}/closure/{closure.id}"


def _supervisor_client(app, db_session, supervisor):
    other = app.test_client()
    sign_in(other, supervisor, db_session)
    return other


def _denials(db_session, reason: str) -> list[AuditEvent]:
    return [
        e
        for e in db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied"))
        if e.details_dict.get("reason") == reason
    ]


def test_request_alone_does_not_close(app, db_session, client, farida, supervisor):
    response = _request(client, farida)
    assert response.status_code == 302
    case = _case(db_session)
    assert case.stage == "identification"
    closure = db_session.scalar(select(CaseClosure))
    assert closure.status == "pending" and closure.summary == CLOSURE["summary"]
    assert b"Twelve months" not in closure.summary_ciphertext
    page = client.get(farida).get_data(as_text=True)
    assert "Waiting for approval" in page
    # The caseworker may not decide, not even by posting directly.
    assert (
        post_form(
            client, _decide_url(db_session, farida), {"decision": "approve"}, token_from=farida
        ).status_code
        == 403
    )
    assert _case(db_session).stage == "identification"
    # A second request while one waits is not stored.
    _request(client, farida)
    assert len(db_session.scalars(select(CaseClosure)).all()) == 1


def test_supervisor_approves_and_the_case_is_closed(app, db_session, client, farida, supervisor):
    _request(client, farida)
    boss = _supervisor_client(app, db_session, supervisor)
    decide = _decide_url(db_session, farida)
    assert "Closure approval waiting" in str([t.label for t in _tasks(app, db_session, supervisor)])
    tasks_page = boss.get("/tasks/").get_data(as_text=True)
    assert "Closure approval waiting" in tasks_page and _case(db_session).case_number in tasks_page
    assert boss.get(decide).status_code == 200
    response = post_form(boss, decide, {"decision": "approve"})
    assert response.status_code == 302
    case = _case(db_session)
    assert case.stage == "closed"
    closure = db_session.scalar(select(CaseClosure))
    assert closure.status == "approved" and closure.decided_by_id == supervisor.user.id
    change = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "case.stage_changed"))
    assert change.details_dict == {
        "from": "identification",
        "to": "closed",
        "operation": "closure_approved",
    }
    assert "Closed" in boss.get(farida).get_data(as_text=True)
    assert _tasks(app, db_session, supervisor) == []
    # Deciding twice changes nothing.
    assert (
        post_form(boss, decide, {"decision": "return", "comment": "too late now"}).status_code
        == 200
    )
    assert db_session.scalar(select(CaseClosure)).status == "approved"


def _tasks(app, db_session, account):
    with app.test_request_context("/"):
        user = account.user
        return tasks_for(
            db_session, Actor(user.id, Role(user.role), user.organisation_id), settings_of(app)
        )


def test_return_with_comment_keeps_the_case_open(app, db_session, client, farida, supervisor):
    _request(client, farida)
    boss = _supervisor_client(app, db_session, supervisor)
    decide = _decide_url(db_session, farida)
    missing = post_form(boss, decide, {"decision": "return", "comment": ""})
    assert missing.status_code == 200 and "Say what should change" in missing.get_data(as_text=True)
    response = post_form(boss, decide, {"decision": "return", "comment": "Add the follow-up plan."})
    assert response.status_code == 302
    assert _case(db_session).stage == "identification"
    closure = db_session.scalar(select(CaseClosure))
    assert closure.status == "returned" and closure.return_comment == "Add the follow-up plan."
    assert "Add the follow-up plan." in client.get(farida).get_data(as_text=True)
    assert _request(client, farida).status_code == 302  # may ask again
    assert len(db_session.scalars(select(CaseClosure)).all()) == 2


def test_self_approval_is_refused_and_audited(app, db_session, client, agency, supervisor):
    sign_in(client, supervisor, db_session)
    response = post_form(client, "/cases/new", FARIDA)
    url = response.headers["Location"]
    assert _request(client, url).status_code == 302
    decide = _decide_url(db_session, url)
    assert client.get(decide).status_code == 403
    assert post_form(client, decide, {"decision": "approve"}, token_from=url).status_code == 403
    assert _case(db_session).stage == "identification"
    assert len(_denials(db_session, "own_request")) == 2
    assert _tasks(app, db_session, supervisor) == []
    # Another supervisor of the organisation may approve it.
    second = make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
    other = _supervisor_client(app, db_session, second)
    assert post_form(other, decide, {"decision": "approve"}).status_code == 302
    assert _case(db_session).stage == "closed"


def test_supervisor_of_another_organisation_cannot_decide(app, db_session, client, farida):
    _request(client, farida)
    stranger = make_account(app, db_session, Role.SUPERVISOR)
    other = _supervisor_client(app, db_session, stranger)
    assert other.get(_decide_url(db_session, farida)).status_code == 403
    assert _tasks(app, db_session, stranger) == []


def _close(app, db_session, client, url, supervisor):
    _request(client, url)
    boss = _supervisor_client(app, db_session, supervisor)
    assert post_form(boss, _decide_url(db_session, url), {"decision": "approve"}).status_code == 302
    return boss


def test_closed_case_edits_are_refused(app, db_session, client, farida, supervisor):
    _close(app, db_session, client, farida, supervisor)
    before = _case(db_session).version
    page = client.get(f"{farida}/person")
    assert page.status_code == 409 and "The case is closed" in page.get_data(as_text=True)
    for path, data in [
        ("/notes", {"body": "late note"}),
        ("/person", {"name_original": "Changed", "version": "1"}),
        ("/details", {"case_type": "returnee", "version": str(before)}),
        ("/documents", {"document_type": "passport", "document_number": "X1"}),
        ("/closure/request", CLOSURE),
    ]:
        response = post_form(client, farida + path, data, token_from=f"{farida}/closure/reopen")
        assert response.status_code == 409, path
        assert "Nothing was saved" in response.get_data(as_text=True)
    assert _case(db_session).person.name_original == FARIDA["name_original"]
    assert _case(db_session).notes == []
    page = client.get(farida)  # reading still works; the edit links are gone
    assert page.status_code == 200 and FARIDA["name_latin"] in page.get_data(as_text=True)
    assert "Edit the person" not in page.get_data(as_text=True)
    assert "Reopen the case" in page.get_data(as_text=True)


def test_reopen_returns_to_assessment(app, db_session, client, farida, supervisor):
    _close(app, db_session, client, farida, supervisor)
    short = post_form(client, f"{farida}/closure/reopen", {"reason": "back"})
    assert short.status_code == 200 and "10 characters" in short.get_data(as_text=True)
    response = post_form(
        client, f"{farida}/closure/reopen", {"reason": "She came back and asks for help again."}
    )
    assert response.status_code == 302
    case = _case(db_session)
    assert case.stage == "assessment"
    reopening = db_session.scalar(select(CaseReopening))
    assert reopening.reason == "She came back and asks for help again."
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "case.reopened" in actions
    change = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.stage_changed")
    ).all()[-1]
    assert (
        change.details_dict["operation"] == "reopened" and change.details_dict["to"] == "assessment"
    )
    # Open again: edits work and reopening twice is refused.
    assert (
        post_form(client, f"{farida}/notes", {"body": "Met again."}, token_from=farida).status_code
        == 302
    )
    assert client.get(f"{farida}/closure/reopen").status_code == 200
    again = post_form(client, f"{farida}/closure/reopen", {"reason": "once more with feeling"})
    assert again.status_code == 200 and _case(db_session).stage == "assessment"


def test_caseworker_of_another_case_cannot_reopen(
    app, db_session, client, farida, supervisor, agency
):
    _close(app, db_session, client, farida, supervisor)
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    other = app.test_client()
    sign_in(other, colleague, db_session)
    assert other.get(f"{farida}/closure/reopen").status_code == 403
    assert _case(db_session).stage == "closed"
