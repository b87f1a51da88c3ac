"""Odd input never makes the closure, reopening or erasure forms fail with 500 or render markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from casework.closure.models import CaseClosure
from casework.models import Case
from tests.casework.helpers import registered_case
from tests.casework.test_consent_screening_fuzz import ODD
from tests.factories import csrf_token, post_form, sign_in

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(response) -> None:
    assert response.status_code in (200, 302, 400, 409), response.status_code
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "<b onmouseover" not in body


@pytest.mark.parametrize("field", ["reason", "summary"])
def test_closure_request_form(app, db_session, client, caseworker, field):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    token = csrf_token(client, f"{url}/closure/request")
    base = {"reason": "other", "summary": "short", "csrf_token": token}  # too short: no request

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(client.post(f"{url}/closure/request", data={**base, field: value}))

    check()
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("field", ["decision", "comment"])
def test_closure_decision_form(app, db_session, client, caseworker, supervisor, field):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    data = {"reason": "other", "summary": "Nothing more to do for now."}
    assert post_form(client, f"{url}/closure/request", data).status_code == 302
    closure_id = db_session.scalar(select(CaseClosure.id))
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    decide = f"{url}/closure/{closure_id}"
    token = csrf_token(boss, decide)

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(
            boss.post(
                decide, data={"decision": "x", "comment": "", field: value, "csrf_token": token}
            )
        )

    check()
    db_session.expire_all()
    assert db_session.scalar(select(Case.stage)) == "identification"


def test_reopen_and_erasure_forms(app, db_session, client, caseworker, supervisor):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    erasure_token = csrf_token(boss, f"{url}/person-data/erasure")
    reopen_token = csrf_token(client, f"{url}/closure/reopen")

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(
            client.post(f"{url}/closure/reopen", data={"reason": value, "csrf_token": reopen_token})
        )
        _check(
            boss.post(
                f"{url}/person-data/erasure", data={"reason": value, "csrf_token": erasure_token}
            )
        )

    check()
    assert boss.get(url).status_code == 200


def test_correction_reason_on_the_person_form(app, db_session, client, caseworker):
    from casework.models import Person
    from tests.casework.helpers import FARIDA

    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    token = csrf_token(client, f"{url}/person")
    counter = iter(range(10_000))

    @FUZZ
    @given(value=ODD)
    def check(value):
        db_session.expire_all()
        version = db_session.scalar(select(Person.version))
        phone = f"+93 700 {next(counter):06d}"
        data = {**FARIDA, "phone": phone, "version": str(version), "correction_reason": value}
        _check(client.post(f"{url}/person", data={**data, "csrf_token": token}))

    check()
    page = client.get(url)
    assert page.status_code == 200 and "Corrections" in page.get_data(as_text=True)
