"""Emergency access stays inside the user's organisation (unless a deployment allows otherwise),
only ever reads, and never reopens a case that was transferred away."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.models import Case, CaseNote, EmergencyAccess
from core.permissions import Role
from tests.casework.helpers import FARIDA, PDF_BYTES, case_url, register, upload
from tests.factories import (
    csrf_token,
    make_account,
    make_organisation,
    override_settings,
    post_form,
    sign_in,
)

REASON = {"reason": "Person collapsed at the centre; need medical history now."}


@pytest.fixture
def across(app):
    """Turn on HOMEWARD_EMERGENCY_ACCESS_ACROSS_ORGANISATIONS for one test."""
    with override_settings(app, EMERGENCY_ACCESS_ACROSS_ORGANISATIONS=True):
        yield


def _case_of_a_colleague(app, db_session, organisation):
    """A case (with an attachment) held by a new caseworker of ``organisation``."""
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=organisation)
    writer = app.test_client()
    sign_in(writer, colleague, db_session)
    url = case_url(register(writer, FARIDA))
    assert upload(writer, url, PDF_BYTES, "scan.pdf").status_code == 302
    link = re.search(
        r'href="(/cases/[^"]+/attachments/[^"]+)"', writer.get(url).get_data(as_text=True)
    ).group(1)
    return url, link, writer


def _denials(db_session, actor_id, reason=None):
    stmt = select(AuditEvent).where(
        AuditEvent.action == "access.denied", AuditEvent.actor_user_id == actor_id
    )
    events = db_session.scalars(stmt).all()
    return [e for e in events if reason is None or reason in (e.details or "")]


def _grants(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(EmergencyAccess))


def test_emergency_access_to_another_organisations_case_is_refused(
    app, db_session, client, caseworker
):
    other = make_organisation(app, db_session, agency=True)
    url, link, _writer = _case_of_a_colleague(app, db_session, other)
    sign_in(client, caseworker, db_session)
    refused = client.get(url)
    assert refused.status_code == 403
    assert "Emergency access" not in refused.get_data(as_text=True)  # not even offered
    response = post_form(client, f"{url}/emergency", REASON, token_from="/account")
    assert response.status_code == 403 and _grants(db_session) == 0
    assert _denials(db_session, caseworker.user.id, "other_organisation")
    assert client.get(url).status_code == 403
    assert client.get(link).status_code == 403


def _write_requests(app, case_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every route that changes something about a case: (method, path) with made-up ids."""
    requests = []
    for rule in app.url_map.iter_rules():
        if "case_id" not in rule.arguments or rule.endpoint.startswith("audit."):
            continue
        if rule.endpoint == "casework.emergency_access":
            continue
        values = {name: uuid.uuid4() for name in rule.arguments}
        values["case_id"] = case_id
        with app.test_request_context("/"):
            from flask import url_for

            path = url_for(rule.endpoint, **values)
        if "POST" in rule.methods:
            requests.append(("POST", path))
    assert len(requests) > 20
    return requests


def test_emergency_access_only_reads(app, db_session, client, caseworker, agency):
    url, link, _writer = _case_of_a_colleague(app, db_session, agency)
    case_id = uuid.UUID(url.rsplit("/", 1)[1])
    sign_in(client, caseworker, db_session)
    assert post_form(client, f"{url}/emergency", REASON).status_code == 302
    page = client.get(url)
    assert page.status_code == 200 and "Farida Nazari" in page.get_data(as_text=True)
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF_BYTES  # a read: allowed

    # The write pages, and every write, answer 403 under the grant, each audited.
    for page_path in ("/person", "/details", "/documents", "/consent/new", "/attachments/new"):
        assert client.get(f"{url}{page_path}").status_code == 403, page_path
    token = csrf_token(client, "/account")
    before = len(_denials(db_session, caseworker.user.id))
    writes = _write_requests(app, case_id)
    for _method, path in writes:
        response = client.post(path, data={"csrf_token": token, "body": "x", "reason": "x" * 20})
        assert response.status_code == 403, path
    assert len(_denials(db_session, caseworker.user.id)) - before == len(writes)
    assert _denials(db_session, caseworker.user.id, "emergency_read_only")
    assert db_session.scalar(select(func.count()).select_from(CaseNote)) == 0
    case = db_session.get(Case, case_id)
    db_session.refresh(case)
    assert case.version == 1 and case.stage == "identification"


def test_across_organisations_is_a_setting_and_still_read_only(
    app, db_session, client, caseworker, across
):
    other = make_organisation(app, db_session, agency=True)
    url, _link, _writer = _case_of_a_colleague(app, db_session, other)
    sign_in(client, caseworker, db_session)
    assert post_form(client, f"{url}/emergency", REASON).status_code == 302
    assert client.get(url).status_code == 200
    note = post_form(client, f"{url}/notes", {"body": "x"}, token_from="/account")
    assert note.status_code == 403


def _transfer_away(app, db_session, url, supervisor):
    """The supervisor transfers the case to a new agency, whose supervisor accepts it."""
    receiving = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=receiving)
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    sent = post_form(sender, f"{url}/transfer", {"organisation": str(receiving.id)}, url)
    assert sent.status_code == 302
    taker = app.test_client()
    sign_in(taker, receiver, db_session)
    caseload = taker.get("/cases/").get_data(as_text=True)
    action = re.search(r'action="(/cases/transfers/[^"]+/accept)"', caseload).group(1)
    assert post_form(taker, action, {}, token_from="/cases/").status_code == 302


def test_a_case_transferred_away_is_not_reopened_by_emergency_access(
    app, db_session, client, caseworker, supervisor, agency, across
):
    url, _link, _writer = _case_of_a_colleague(app, db_session, agency)
    sign_in(client, caseworker, db_session)
    assert post_form(client, f"{url}/emergency", REASON).status_code == 302
    assert client.get(url).status_code == 200
    _transfer_away(app, db_session, url, supervisor)
    assert client.get(url).status_code == 403  # the grant ended with the transfer
    again = post_form(client, f"{url}/emergency", REASON, token_from="/account")
    assert again.status_code == 403
    assert _denials(db_session, caseworker.user.id, "transferred_away")
    assert client.get(url).status_code == 403
    note = post_form(client, f"{url}/notes", {"body": "x"}, token_from="/account")
    assert note.status_code == 403


def test_across_organisations_is_off_unless_the_deployment_says_so():
    from core.config import Settings

    assert Settings().EMERGENCY_ACCESS_ACROSS_ORGANISATIONS is False
    env = {"HOMEWARD_EMERGENCY_ACCESS_ACROSS_ORGANISATIONS": "true"}
    assert Settings.from_env(environ=env).casework.emergency_access_across_organisations


def test_the_grant_service_itself_refuses_another_organisations_case(app, db_session, caseworker):
    """The route denies first; the service refuses too, so no other caller can open a case."""
    from casework import emergency
    from casework.services import CaseworkError
    from core.crypto import EXTENSION_KEY, bind_crypto
    from core.security import Actor

    other = make_organisation(app, db_session, agency=True)
    url, _link, _writer = _case_of_a_colleague(app, db_session, other)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    user = caseworker.user
    actor = Actor(user.id, Role.CASEWORKER, user.organisation_id)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        with pytest.raises(CaseworkError):
            emergency.grant(db_session, actor, case, REASON["reason"], 60)
        assert _grants(db_session) == 0
        granted = emergency.grant(
            db_session, actor, case, REASON["reason"], 60, across_organisations=True
        )
    assert granted.case_id == case.id
