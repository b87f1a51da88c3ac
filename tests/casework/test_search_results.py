"""Search by post, redirect, get: the result page is addressed by a short-lived, per-session
search id; the term is in no address, log record, cookie or table. Searches by birth year, and
the offer to register someone nobody matches."""

from __future__ import annotations

import json
import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from auth.models import UserSession
from casework.models import Case, CaseSearch, Person
from core.db import Base
from core.logs import JsonFormatter
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.test_fuzzing import FUZZ, NASTY, _assert_safe
from tests.factories import csrf_token, make_account, post_form, sign_in
from tests.fixtures.audit import events_after, head_seq

GONE = "This search has expired; search again."


def _post_search(client, kind: str, term: str):
    return post_form(client, "/cases/search", {"kind": kind, "term": term}, token_from="/cases/")


def _result_url(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert re.fullmatch(r"/cases/search/[A-Za-z0-9_-]{16,32}", location), location
    return location


@pytest.fixture
def signed_in(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    return client


def test_a_search_redirects_to_a_result_page_that_shows_again(db_session, signed_in):
    url = case_url(register(signed_in, FARIDA))
    results = _result_url(_post_search(signed_in, "name", "Nazari"))
    for _ in range(2):  # the redirect, then Back or reload
        page = signed_in.get(results)
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "1 case found." in body and url in body and "Farida Nazari" in body
    assert db_session.scalar(select(func.count()).select_from(CaseSearch)) == 1


def test_each_view_of_the_results_is_audited_without_the_term(db_session, signed_in):
    case_url(register(signed_in, FARIDA))
    before = head_seq(db_session)
    results = _result_url(_post_search(signed_in, "name", "Nazari"))
    signed_in.get(results)
    signed_in.get(results)
    events = events_after(db_session, before)
    actions = [e.action for e in events if e.action.startswith("person.search")]
    assert actions == ["person.searched", "person.search_viewed", "person.search_viewed"]
    viewed = [e for e in events if e.action == "person.search_viewed"]
    expected = {"kind": "name", "results": 1, "outside_scope": 0}
    assert [json.loads(e.details) for e in viewed] == [expected] * 2


def test_another_sessions_search_id_is_not_found(app, db_session, signed_in, caseworker):
    case_url(register(signed_in, FARIDA))
    results = _result_url(_post_search(signed_in, "name", "Nazari"))
    for account in (caseworker, make_account(app, db_session, Role.CASEWORKER)):
        other = app.test_client()
        sign_in(other, account, db_session)
        page = other.get(results)
        body = page.get_data(as_text=True)
        assert page.status_code == 404 and GONE in body and "Farida" not in body
    assert signed_in.get(results).status_code == 200


def test_an_unknown_or_malformed_search_id_is_not_found(signed_in):
    for search_id in ("AAAAAAAAAAAAAAAAAAAAAA", "x" * 500, "a%20b", "%C3%A9" * 20):
        page = signed_in.get(f"/cases/search/{search_id}")
        assert page.status_code == 404, search_id
        assert GONE in page.get_data(as_text=True)


def test_a_search_expires_after_30_minutes(db_session, signed_in, override_settings, time_travel):
    override_settings(SESSION_IDLE_MINUTES=120)
    case_url(register(signed_in, FARIDA))
    results = _result_url(_post_search(signed_in, "name", "Nazari"))
    time_travel(minutes=29)
    assert signed_in.get(results).status_code == 200
    time_travel(minutes=31)
    page = signed_in.get(results)
    assert page.status_code == 410 and GONE in page.get_data(as_text=True)
    assert "Farida" not in page.get_data(as_text=True)
    _result_url(_post_search(signed_in, "name", "Nazari"))  # a new search clears expired ones
    assert db_session.scalar(select(func.count()).select_from(CaseSearch)) == 1


def test_searches_of_ended_sessions_are_forgotten(app, db_session, signed_in, caseworker):
    case_url(register(signed_in, FARIDA))
    _result_url(_post_search(signed_in, "name", "Nazari"))
    signed_in.post("/logout", data={"csrf_token": csrf_token(signed_in, "/account")})
    other = app.test_client()
    sign_in(other, caseworker, db_session)
    _result_url(_post_search(other, "name", "Nazari"))
    assert db_session.scalar(select(func.count()).select_from(CaseSearch)) == 1


def test_the_results_drop_a_case_the_user_may_no_longer_open(
    app, db_session, signed_in, caseworker
):
    url = case_url(register(signed_in, FARIDA))
    results = _result_url(_post_search(signed_in, "name", "Nazari"))
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=None)
    db_session.execute(update(Case).values(assigned_to_id=colleague.user.id))
    db_session.commit()
    before = head_seq(db_session)
    body = signed_in.get(results).get_data(as_text=True)
    assert url not in body and "Farida" not in body and "Nobody you may see matches" in body
    viewed = [e for e in events_after(db_session, before) if e.action == "person.search_viewed"]
    expected = {"kind": "name", "results": 0, "outside_scope": 1}
    assert [json.loads(e.details) for e in viewed] == [expected]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.__dict__))


def _holds(text_: str, term: str) -> bool:
    """The term stands in the text on its own, not as four digits inside a random hex value
    (a hash or token holds "1994" in about one run in twenty)."""
    return re.search(rf"(?<![0-9a-fA-F]){re.escape(term)}(?![0-9a-fA-F])", text_) is not None


def _stored_text(db_session) -> str:
    """Every row of every table, as text."""
    rows = []
    for table in Base.metadata.sorted_tables:
        rows += [repr(tuple(r)) for r in db_session.execute(text(f"SELECT * FROM {table.name}"))]
    return "\n".join(rows)


@pytest.mark.parametrize(
    ("kind", "term"),
    [("name", "Nazari"), ("date_of_birth", "1994"), ("document", "P1234567")],
)
def test_the_term_is_in_no_address_log_cookie_or_table(app, db_session, signed_in, kind, term):
    case_url(register(signed_in, FARIDA))
    handler = _Collect()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        response = _post_search(signed_in, kind, term)
        results = _result_url(response)
        page = signed_in.get(results)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    assert "Farida Nazari" in page.get_data(as_text=True)
    assert any('"route": "casework.search_results"' in line for line in handler.lines)
    assert not [line for line in handler.lines if _holds(line, term)]
    assert term not in results and term not in (page.headers.get("Location") or "")
    cookie = signed_in.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and term not in cookie.value
    decoded = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert term not in repr(decoded)
    stored = _stored_text(db_session)
    assert not _holds(stored, term) and "1994-03-15" not in stored


def _born(client, name: str, **details: str) -> str:
    return case_url(register(client, {"name_original": name, "case_type": "returnee", **details}))


def test_a_year_finds_the_date_of_birth_year_and_the_estimated_year(db_session, signed_in):
    estimated = _born(signed_in, "Zarina Estimated", estimated_birth_year="1998")
    dated = _born(signed_in, "Dilnoza Dated", date_of_birth="1998-12-31")
    first_day = _born(signed_in, "Malika First", date_of_birth="1998-01-01")
    other = _born(signed_in, "Other Year", date_of_birth="1997-12-31", estimated_birth_year="1998")
    elsewhere = _born(signed_in, "Gulnora Older", date_of_birth="1994-03-15")
    body = signed_in.get(_result_url(_post_search(signed_in, "date_of_birth", "1998"))).get_data(
        as_text=True
    )
    assert "4 cases found." in body
    assert all(url in body for url in (estimated, dated, first_day, other))
    assert elsewhere not in body
    body = signed_in.get(_result_url(_post_search(signed_in, "date_of_birth", "1994"))).get_data(
        as_text=True
    )
    assert "1 case found." in body and elsewhere in body
    full = signed_in.get(_result_url(_post_search(signed_in, "date_of_birth", "1998-12-31")))
    body = full.get_data(as_text=True)
    assert "1 case found." in body and dated in body


@pytest.mark.parametrize("term", ["98", "19985", "1899", "3000", "1998-02-30", "year 1998"])
def test_a_bad_date_or_year_is_explained(signed_in, term):
    response = _post_search(signed_in, "date_of_birth", term)
    assert response.status_code == 200
    assert "or only the year, e.g. 1998." in response.get_data(as_text=True)


def test_no_result_offers_registration_with_the_name_carried_over(db_session, signed_in):
    people = db_session.scalar(select(func.count()).select_from(Person))
    response = _post_search(signed_in, "name", "Гулшан Давлатова")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nobody you may see matches" in body
    offer = re.search(r'<form method="post" action="/cases/new"[^>]*>(.*?)</form>', body, re.S)
    assert offer is not None and "Register this person" in offer.group(1)
    assert 'name="name_original" value="Гулшан Давлатова"' in offer.group(1)
    assert 'name="prefill" value="1"' in offer.group(1)
    form = {"prefill": "1", "name_original": "Гулшан Давлатова"}
    page = post_form(signed_in, "/cases/new", form, token_from="/cases/")
    filled = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'id="name_original"[^>]*value="Гулшан Давлатова"', filled)
    assert "field-error" not in filled and "Possible matches" not in filled
    assert db_session.scalar(select(func.count()).select_from(Person)) == people
    assert db_session.scalar(select(func.count()).select_from(CaseSearch)) == 0


def test_the_prefill_needs_the_csrf_token(db_session, signed_in):
    page = signed_in.post("/cases/new", data={"prefill": "1", "name_original": "X Y"})
    assert page.status_code == 400


def test_a_search_by_document_or_date_offers_registration_without_a_name(signed_in):
    body = _post_search(signed_in, "document", "ZZ998877").get_data(as_text=True)
    assert "Register this person" in body and 'name="name_original"' not in body


def test_the_form_says_document_numbers_are_typed_whole(signed_in):
    body = signed_in.get("/cases/").get_data(as_text=True)
    assert "Document number (in full)" in body and "Date of birth or year" in body
    page = _post_search(signed_in, "document", "P123").get_data(as_text=True)
    assert "Type document numbers in full: to keep them private" in page


def test_a_session_without_a_row_cannot_reach_results(db_session, signed_in):
    case_url(register(signed_in, FARIDA))
    results = _result_url(_post_search(signed_in, "name", "Nazari"))
    db_session.execute(update(UserSession).values(ended_at=func.now()))
    db_session.commit()
    assert signed_in.get(results).status_code != 200


@FUZZ
@given(
    kind=st.sampled_from(["name", "date_of_birth", "document", "case_number"]),
    term=st.one_of(NASTY, st.integers(min_value=-5, max_value=99999).map(str)),
)
def test_fuzzed_searches_and_prefills_are_safe(db_session, signed_in, kind, term):
    response = _post_search(signed_in, kind, term)
    _assert_safe(response)
    if response.status_code == 303:
        _assert_safe(signed_in.get(_result_url(response)))
    people = db_session.scalar(select(func.count()).select_from(Person))
    prefill = {"prefill": "1", "name_original": term}
    page = post_form(signed_in, "/cases/new", prefill, token_from="/cases/")
    _assert_safe(page)
    assert page.status_code in (200, 400)  # 400: input no form may take, such as NUL
    assert db_session.scalar(select(func.count()).select_from(Person)) == people
