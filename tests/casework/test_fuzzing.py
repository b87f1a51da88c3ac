"""Hypothesis-generated input on every casework form: never a 500, never markup that renders."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.casework.helpers import case_url, register
from tests.factories import csrf_token, sign_in

NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=260),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE person; --",
            "\x00\x01\x02",
            "\r\n\r\nSet-Cookie: x=1",
            "{{ 7*7 }}",
            "%(name)s",
            "../../etc/passwd",
            "٠١٢٣",
            "𝕳𝖔𝖒𝖊𝖜𝖆𝖗𝖉",
            "a" * 20000,
            "1994-02-30",
            "-1",
            "9" * 40,
        ]
    ),
)
FIELDS = [
    "name_original",
    "name_latin",
    "aliases",
    "date_of_birth",
    "estimated_birth_year",
    "sex",
    "nationality",
    "languages",
    "phone",
    "address_country",
    "address_region",
    "address_locality",
    "document_type",
    "document_number",
    "document_country",
    "document_expiry",
    "case_type",
    "event_date",
    "place",
    "referring_source",
    "vulnerabilities",
    "risk_level",
    # issue 17: places
    "address_place",
    "place_code",
    # issue 17: sources
    "referral_source",
]

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _assert_safe(response) -> None:
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x onerror" not in body


@pytest.fixture
def signed_in(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    return client


@FUZZ
@given(values=st.dictionaries(st.sampled_from(FIELDS), NASTY, min_size=1, max_size=8))
def test_registration_form(signed_in, values):
    payload = {"name_original": "Fuzz Person", "case_type": "returnee", **values}
    response = signed_in.post(
        "/cases/new", data={**payload, "csrf_token": csrf_token(signed_in, "/cases/new")}
    )
    _assert_safe(response)
    if response.status_code == 302:
        _assert_safe(signed_in.get(response.headers["Location"]))


@FUZZ
@given(
    kind=st.one_of(st.sampled_from(["name", "date_of_birth", "document", "case_number"]), NASTY),
    term=NASTY,
)
def test_search_form(signed_in, kind, term):
    token = csrf_token(signed_in, "/cases/")
    _assert_safe(
        signed_in.post("/cases/search", data={"kind": kind, "term": term, "csrf_token": token})
    )


@FUZZ
@given(body=NASTY, corrects=st.one_of(st.none(), NASTY))
def test_note_and_edit_forms(signed_in, body, corrects):
    url = case_url(
        register(signed_in, {"name_original": "Note Target", "case_type": "returnee"}, True)
    )
    token = csrf_token(signed_in, url)
    data = {"body": body, "csrf_token": token}
    if corrects is not None:
        data["corrects"] = corrects
    _assert_safe(signed_in.post(f"{url}/notes", data=data))
    _assert_safe(
        signed_in.post(
            f"{url}/person",
            data={"name_original": body, "version": corrects or "", "csrf_token": token},
        )
    )
    _assert_safe(
        signed_in.post(
            f"{url}/details",
            data={
                "case_type": body,
                "referral_source": corrects or body,  # issue 17: sources
                "version": "1",
                "csrf_token": token,
            },
        )
    )
    page = signed_in.get(url).get_data(as_text=True)
    assert not re.search(r"<script>alert", page)


@FUZZ
@given(path=st.text(alphabet="abcdef0123456789-/%.", max_size=60))
def test_odd_case_addresses(signed_in, path):
    _assert_safe(signed_in.get(f"/cases/{path}"))
