"""The consent form asks about a guardian and the child's own view only for a child (known from
the date of birth, the estimated birth year or a child vulnerability), behind a disclosure when
the age is not known, never for an adult; screening says that consent comes first."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from casework.consent.models import LegalBasisRecord
from casework.consent.queries import is_child
from core.clock import utcnow
from tests.casework.helpers import (
    CONSENT,
    FARIDA,
    SCREENING,
    case_url,
    record_consent,
    register,
    registered_case,
)
from tests.factories import post_form, sign_in

GUARDIAN_FIELDS = ('name="given_by"', 'name="guardian_name"', 'name="child_assent"')
NO_AGE = {**FARIDA, "date_of_birth": "", "estimated_birth_year": "", "vulnerabilities": []}


def _basis(db_session) -> LegalBasisRecord:
    return db_session.scalars(
        select(LegalBasisRecord).order_by(LegalBasisRecord.recorded_at.desc())
    ).first()


def _form(client, url: str) -> str:
    return client.get(f"{url}/consent/new").get_data(as_text=True)


def _disclosure(page: str) -> str | None:
    found = re.search(r"<details class=\"disclosure\"[^>]*>.*?</details>", page, re.S)
    return found.group(0) if found else None


def test_an_adults_consent_form_has_no_guardian_fields(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)  # born in 1994
    page = _form(client, url)
    assert not any(name in page for name in GUARDIAN_FIELDS)
    assert "The person is an adult" in page and _disclosure(page) is None
    smuggled = {**CONSENT, "given_by": "parent_or_guardian", "guardian_name": "Karim Nazari"}
    assert record_consent(client, url, smuggled).status_code == 302
    basis = _basis(db_session)
    assert basis.given_by == "person" and basis.child_assent is None
    with app.app_context():
        assert basis.guardian_name is None


@pytest.mark.parametrize(
    "child",
    [
        {"date_of_birth": "2014-05-02"},
        {"date_of_birth": "", "estimated_birth_year": str(date.today().year - 10)},
        {"date_of_birth": "", "vulnerabilities": ["unaccompanied_child"]},
        {"date_of_birth": "", "vulnerabilities": ["child"]},
    ],
    ids=["date-of-birth", "estimated-year", "unaccompanied", "child-vulnerability"],
)
def test_a_childs_consent_form_asks_who_gave_it_and_the_childs_view(
    app, db_session, client, caseworker, child
):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, {**FARIDA, **child}))
    page = _form(client, url)
    assert all(name in page for name in GUARDIAN_FIELDS) and _disclosure(page) is None
    response = record_consent(client, url, {k: v for k, v in CONSENT.items() if k != "given_by"})
    assert response.status_code == 200
    assert 'id="given_by-error"' in response.get_data(as_text=True)
    guardian = {**CONSENT, "given_by": "parent_or_guardian", "guardian_name": "Karim Nazari"}
    assert record_consent(client, url, {**guardian, "child_assent": "yes"}).status_code == 302
    basis = _basis(db_session)
    assert basis.given_by == "parent_or_guardian" and basis.child_assent == "yes"


def test_unknown_age_keeps_the_guardian_behind_a_disclosure(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, NO_AGE))
    page = _form(client, url)
    disclosure = _disclosure(page)
    assert disclosure is not None and " open" not in disclosure.split(">", 1)[0]
    assert "The person is a child" in disclosure
    assert all(name in disclosure for name in GUARDIAN_FIELDS)
    guardian = {**CONSENT, "given_by": "parent_or_guardian", "guardian_name": "Karim Nazari"}
    response = record_consent(client, url, guardian)
    again = _disclosure(response.get_data(as_text=True))
    assert response.status_code == 200 and again is not None
    assert " open" in again.split(">", 1)[0] and 'id="child_assent-error"' in again
    assert "Karim Nazari" in again
    no_one_said = {k: v for k, v in CONSENT.items() if k != "given_by"}
    assert record_consent(client, url, no_one_said).status_code == 302
    assert _basis(db_session).given_by == "person"


def _person(born=None, year=None, vulnerabilities=()):
    person = SimpleNamespace(date_of_birth=born, estimated_birth_year=year)
    return SimpleNamespace(person=person, vulnerability_codes=sorted(vulnerabilities))


def test_is_child_counts_whole_years_and_leaves_a_borderline_estimate_open():
    today = date(2026, 12, 3)
    assert is_child(_person(date(2008, 12, 4)), today) is True  # 18 tomorrow
    assert is_child(_person(date(2008, 12, 3)), today) is False  # 18 today
    assert is_child(_person(year=2009), today) is True
    assert is_child(_person(year=2008), today) is None  # 17 or 18
    assert is_child(_person(year=2007), today) is False
    assert is_child(_person(), today) is None
    assert is_child(_person(date(1990, 1, 1), vulnerabilities=["child"]), today) is True


def test_screening_before_consent_says_consent_comes_first_but_still_works(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    page = client.get(f"{url}/screening/new").get_data(as_text=True)
    assert "Consent comes first" in page and f'href="{url}/consent/new"' in page
    assert post_form(client, f"{url}/screening/new", SCREENING).status_code == 302
    record_consent(client, url, CONSENT)
    page = client.get(f"{url}/screening/new").get_data(as_text=True)
    assert "Consent comes first" not in page


def test_a_withdrawn_basis_brings_the_prompt_back(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_consent(client, url, CONSENT)
    basis = _basis(db_session)
    basis.withdrawn_at = utcnow()
    db_session.flush()
    assert "Consent comes first" in client.get(f"{url}/screening/new").get_data(as_text=True)
