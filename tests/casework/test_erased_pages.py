"""Every page of an erased person's case answers 410 (gone), never a 500, whoever asks and
however they got in (their own case, a supervisor, or an emergency grant); the case page itself
shows what is left."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select, update

from casework.models import Case, EmergencyAccess
from core.clock import utcnow
from core.permissions import ROLE_PERMISSIONS, Role
from tests.casework.helpers import CONSENT, SCREENING, record_consent, record_screening
from tests.factories import csrf_token, make_account, post_form, sign_in

#: Pages of a case that are not "a page of the case's data".
NOT_CASE_DATA = {
    "casework.case": "shows what is left of an erased person's case (200)",
    "casework.emergency_access": "asks for a grant; in scope it redirects to the case page",
    "audit.case_history": "the auditor's page (ids and actions only)",
    "casework.attachments.download": "a real file answers its own 410 page (test_attachments.py)",
}


def _erase(app, db_session) -> None:
    number = db_session.scalar(select(Case.case_number))
    result = app.test_cli_runner().invoke(
        args=["cases", "erase-person", number, "--reason", "Request of the person", "--yes"]
    )
    assert result.exit_code == 0, result.output
    db_session.expire_all()


def _case_pages(app, case_id: uuid.UUID, method: str) -> list[tuple[str, str]]:
    """Every route of one case answering ``method``: (endpoint, path), other ids made up."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "case_id" not in rule.arguments or method not in (rule.methods or ()):
            continue
        values = {name: uuid.uuid4() for name in rule.arguments} | {"case_id": case_id}
        with app.test_request_context("/"):
            pages.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return pages


def test_every_page_of_an_erased_case_is_gone(app, db_session, client, farida, supervisor):
    assert record_consent(client, farida, CONSENT).status_code == 302
    assert record_screening(client, farida, SCREENING).status_code == 302
    _erase(app, db_session)
    case_id = uuid.UUID(farida.rsplit("/", 1)[1])
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    for who, role in ((client, Role.CASEWORKER), (boss, Role.SUPERVISOR)):
        assert who.get(farida).status_code == 200
        for endpoint, path in _case_pages(app, case_id, "GET"):
            if endpoint in NOT_CASE_DATA:
                continue
            needed = getattr(app.view_functions[endpoint], "_homeward_permission", None)
            expected = 403 if needed is not None and needed not in ROLE_PERMISSIONS[role] else 410
            assert who.get(path).status_code == expected, path
    token = csrf_token(client, "/account")
    for endpoint, path in _case_pages(app, case_id, "POST"):
        if endpoint in NOT_CASE_DATA:
            continue
        status = client.post(path, data={"csrf_token": token}).status_code
        assert 400 <= status < 500, (path, status)


def test_an_emergency_grant_does_not_open_an_erased_case_for_edits(app, db_session, farida, agency):
    other = app.test_client()
    sign_in(other, make_account(app, db_session, Role.CASEWORKER, organisation=agency), db_session)
    reason = {"reason": "Person collapsed at the centre; need medical history now."}
    assert post_form(other, f"{farida}/emergency", reason).status_code == 302
    _erase(app, db_session)  # while the grant lasts
    assert other.get(farida).status_code == 403  # erasure ends the grant with the rest
    # A grant that outlived the erasure (as one taken a moment after it would) opens no edits.
    db_session.execute(update(EmergencyAccess).values(expires_at=utcnow() + timedelta(minutes=30)))
    assert other.get(farida).status_code == 200
    for page in ("/person", "/details", "/documents", "/consent/", "/screening/"):
        assert other.get(f"{farida}{page}").status_code == 410, page
    token = csrf_token(other, "/account")
    for page in ("/notes", "/person", "/documents"):
        response = other.post(f"{farida}{page}", data={"csrf_token": token, "body": "x"})
        assert response.status_code == 410, page


def test_no_emergency_grant_is_given_on_an_erased_case(app, db_session, farida, agency):
    _erase(app, db_session)
    other = app.test_client()
    sign_in(other, make_account(app, db_session, Role.CASEWORKER, organisation=agency), db_session)
    reason = {"reason": "Person collapsed at the centre; need medical history now."}
    response = post_form(other, f"{farida}/emergency", reason)
    assert response.status_code == 200
    assert "nothing to open" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(EmergencyAccess)) == 0
