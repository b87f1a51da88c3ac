"""Second reader: attacks on the kept search (its id bound to one live session, access checked
on every view) and on the "Register this person" offer (escaped, saves nothing)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select, update

from auth.models import User
from casework.erasure import erase_person
from casework.models import Case, CaseSearch, Person
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import csrf_token, make_account, make_organisation, post_form, sign_in

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def _results(client) -> str:
    response = post_form(
        client, "/cases/search", {"kind": "name", "term": "Nazari"}, token_from="/cases/"
    )
    assert response.status_code == 303
    location: str = response.headers["Location"]
    assert re.fullmatch(r"/cases/search/[A-Za-z0-9_-]{22,32}", location)  # 128 random bits
    return location


@pytest.fixture
def searched(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    return url, _results(client)


def test_a_disabled_account_loses_its_results(db_session, client, caseworker, searched):
    _url, results = searched
    db_session.execute(update(User).where(User.id == caseworker.user.id).values(active=False))
    db_session.commit()
    page = client.get(results)
    assert page.status_code in (302, 303) and "Farida" not in page.get_data(as_text=True)


def test_signing_in_again_starts_a_session_without_the_old_search(
    db_session, client, caseworker, searched
):
    _url, results = searched
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get(results).status_code in (302, 303)  # signed out
    sign_in(client, caseworker, db_session)  # a fresh session on the same browser
    page = client.get(results)
    assert page.status_code == 404 and "Farida" not in page.get_data(as_text=True)


def test_a_case_moved_to_another_organisation_leaves_the_results(app, db_session, client, searched):
    url, results = searched
    elsewhere = make_organisation(app, db_session, agency=True)
    db_session.execute(update(Case).values(organisation_id=elsewhere.id))
    db_session.commit()
    body = client.get(results).get_data(as_text=True)
    assert url not in body and "Farida" not in body and "فریده" not in body


def test_an_erased_person_is_shown_as_erased_without_names(app, db_session, client, searched):
    url, results = searched
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    case = db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))
    with app.app_context():
        erase_person(db_session, None, case.person, "erasure request confirmed")
    db_session.commit()
    page = client.get(results)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Erased" in body
    assert "Farida" not in body and "فریده" not in body


def test_the_offered_name_is_escaped_and_nothing_is_saved(db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    people = db_session.scalar(select(func.count()).select_from(Person))
    term = "Zz " + XSS
    body = post_form(
        client, "/cases/search", {"kind": "name", "term": term}, token_from="/cases/"
    ).get_data(as_text=True)
    assert "Register this person" in body
    page = post_form(
        client, "/cases/new", {"prefill": "1", "name_original": term}, token_from="/cases/"
    )
    for html in (body, page.get_data(as_text=True)):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert db_session.scalar(select(func.count()).select_from(Person)) == people
    assert db_session.scalar(select(func.count()).select_from(CaseSearch)) == 0


def test_a_supervisor_of_another_organisation_cannot_use_the_id(app, db_session, searched):
    _url, results = searched
    other = app.test_client()
    sign_in(other, make_account(app, db_session, Role.SUPERVISOR), db_session)
    page = other.get(results)
    assert page.status_code == 404 and "Farida" not in page.get_data(as_text=True)
