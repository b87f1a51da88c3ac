"""Editing sections with optimistic locking: a stale save gets 409 and keeps its input."""

from __future__ import annotations

import re

from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import csrf_token, post_form, sign_in


def _version(client, url: str) -> str:
    body = client.get(url).get_data(as_text=True)
    match = re.search(r'name="version"[^>]*value="(\d+)"', body) or re.search(
        r'value="(\d+)"[^>]*name="version"', body
    )
    assert match
    return match.group(1)


PERSON = {
    k: v
    for k, v in FARIDA.items()
    if k
    in {
        "name_original",
        "name_latin",
        "aliases",
        "date_of_birth",
        "sex",
        "nationality",
        "languages",
        "phone",
        "address_country",
        "address_region",
        "address_locality",
    }
}


def test_edit_person_saves_and_audits_field_names_only(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    edit = f"{url}/person"
    version = _version(client, edit)
    response = post_form(client, edit, {**PERSON, "phone": "+93 799 000 111", "version": version})
    assert response.status_code == 302
    assert "+93 799 000 111" in client.get(url).get_data(as_text=True)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "person.updated"))
    assert event.details == '{"fields":["phone"]}'


def test_second_stale_save_gets_409_and_keeps_input(
    app, db_session, client, caseworker, supervisor
):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    edit = f"{url}/person"
    other = app.test_client()
    sign_in(other, supervisor, db_session)
    stale = _version(client, edit)
    assert _version(other, edit) == stale
    first = post_form(other, edit, {**PERSON, "phone": "+93 711 111 111", "version": stale})
    assert first.status_code == 302
    second = client.post(
        edit,
        data={
            **PERSON,
            "phone": "+93 722 222 222",
            "version": stale,
            "csrf_token": csrf_token(client, edit),
        },
    )
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "+93 711 111 111" in body and "+93 722 222 222" in body
    newer = re.search(r'name="version"[^>]*value="(\d+)"', body) or re.search(
        r'value="(\d+)"[^>]*name="version"', body
    )
    assert newer and newer.group(1) != stale
    again = post_form(
        client, edit, {**PERSON, "phone": "+93 722 222 222", "version": newer.group(1)}
    )
    assert again.status_code == 302
    assert "+93 722 222 222" in client.get(url).get_data(as_text=True)


def test_edit_case_section_and_vulnerabilities(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    edit = f"{url}/details"
    version = _version(client, edit)
    response = post_form(
        client,
        edit,
        {
            "case_type": "identified_victim",
            "risk_level": "medium",
            "vulnerabilities": ["child", "disability"],
            "version": version,
        },
    )
    assert response.status_code == 302
    case = db_session.scalar(select(Case))
    db_session.refresh(case)
    assert case.case_type == "identified_victim" and case.vulnerability_codes == [
        "child",
        "disability",
    ]
    stale = post_form(client, edit, {"case_type": "returnee", "version": version})
    assert stale.status_code == 409


def test_add_document_then_found_by_it(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, {"name_original": "Timur Rahmonov", "case_type": "returnee"}))
    response = post_form(
        client,
        f"{url}/documents",
        {"document_type": "national_id", "document_number": "TJ 44-55-66"},
    )
    assert response.status_code == 302
    body = post_form(
        client,
        "/cases/search",
        {"kind": "document", "term": "tj445566"},
        token_from="/cases/",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Timur Rahmonov" in body
    missing_type = post_form(client, f"{url}/documents", {"document_number": "X1"})
    assert missing_type.status_code == 200 and "Choose the type" in missing_type.get_data(
        as_text=True
    )
