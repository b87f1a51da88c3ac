"""Nationality, countries and languages are picked by name in the reader's language and stored
as codes; pages show names; a typed name is refused rather than turned into a code; what was
stored before the pickers (a language as free text, a code CLDR does not know) keeps working."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.models import Case
from core.i18n.names import is_country, is_language, sort_key
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.test_form_labels import options_of
from tests.factories import csrf_token, post_form, sign_in


def _case(db_session, url: str) -> Case:
    return db_session.get(Case, uuid.UUID(url.rsplit("/", 1)[1]))


def test_registration_offers_countries_and_languages_by_name(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    offered = options_of(client.get("/cases/new").get_data(as_text=True))
    for name in ("nationality", "address_country", "document_country"):
        assert offered[name]["AF"] == "Afghanistan" and offered[name]["XK"] == "Kosovo"
        names = [n for code, n in offered[name].items() if code]
        assert names == sorted(names, key=sort_key)
    assert offered["languages"]["prs"] == "Dari" and offered["languages"]["ru"] == "Russian"


def test_the_pickers_speak_the_readers_language(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    assert post_form(client, "/account/language", {"language": "fr"}, "/account").status_code == 303
    page = client.get("/cases/new").get_data(as_text=True)
    offered = options_of(page)
    assert offered["nationality"]["DE"] == "Allemagne"
    assert offered["languages"]["de"] == "allemand"
    names = [n for code, n in offered["nationality"].items() if code]
    assert names.index("Afghanistan") < names.index("Allemagne") < names.index("Zimbabwe")


def test_the_case_page_shows_names_not_codes(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    case = _case(db_session, url)
    with app.app_context():
        assert case.person.nationality == "AF" and case.person.languages == ["prs", "ru"]
    page = client.get(url).get_data(as_text=True)
    assert "<dd>Afghanistan</dd>" in page and "Dari, Russian" in page
    assert ">AF<" not in page and "prs" not in page


def test_a_typed_name_is_refused_not_turned_into_a_code(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    response = register(client, {**FARIDA, "nationality": "Afghanistan", "languages": ["Dari"]})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="nationality-error"' in body and "Choose a country from the list" in body
    assert 'id="languages-error"' in body and "Choose languages from the list" in body


def test_edit_keeps_what_was_stored_before_the_pickers(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    person = _case(db_session, url).person
    with app.app_context():
        person.languages = ["Dari", "Old Herati"]
        person.nationality = "YU"  # Yugoslavia, withdrawn from ISO 3166
        db_session.flush()
    page = client.get(url).get_data(as_text=True)
    assert "<dd>YU</dd>" in page and "Dari, Old Herati" in page
    edit = client.get(f"{url}/person").get_data(as_text=True)
    selected = re.findall(r'<option selected value="([^"]*)"', edit)
    selected += re.findall(r'<option value="([^"]*)" selected', edit)
    assert {"prs", "Old Herati", "YU"} <= set(selected), selected
    assert options_of(edit)["languages"]["Old Herati"] == "Old Herati"
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit) or re.search(
        r'value="(\d+)"[^>]*name="version"', edit
    )
    data = {
        "csrf_token": csrf_token(client, f"{url}/person"),
        "name_original": FARIDA["name_original"],
        "nationality": "YU",
        "languages": ["prs", "Old Herati"],
        "phone": "+93 799 000 111",
        "version": version.group(1),
    }
    response = client.post(f"{url}/person", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.refresh(person)
    with app.app_context():
        assert person.languages == ["prs", "Old Herati"] and person.nationality == "YU"
    refused = post_form(client, f"{url}/person", {**data, "languages": ["Klingon!"]})
    assert refused.status_code == 200


@pytest.fixture
def signed_in(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    return client


FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PICKED = st.one_of(
    st.sampled_from(["prs", "RU", "Dari", "xx", "", " ", "af", "AF", "Afghanistan"]),
    st.text(max_size=40),
)


@FUZZ
@given(
    languages=st.lists(PICKED, max_size=5),
    nationality=PICKED,
    address_country=PICKED,
)
def test_pickers_take_only_codes_and_never_fail(
    app, db_session, signed_in, languages, nationality, address_country
):
    client = signed_in
    data = {
        "name_original": "Fuzz Person",
        "case_type": "returnee",
        "languages": languages,
        "nationality": nationality,
        "address_country": address_country,
        "not_a_duplicate": "y",
        "csrf_token": csrf_token(client, "/cases/new"),
    }
    response = client.post("/cases/new", data=data)
    assert response.status_code < 500  # a NUL byte is refused with 400 before the form
    if response.status_code == 302:
        person = _case(db_session, response.headers["Location"]).person
        with app.app_context():
            codes = person.languages or []
            assert all(is_language(code) and code == code.lower() for code in codes)
            assert person.nationality is None or is_country(person.nationality)
