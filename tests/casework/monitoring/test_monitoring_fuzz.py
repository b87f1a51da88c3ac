"""Odd input never makes the visit form or the survey-weights form fail with 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casework.monitoring.models import SurveyVersion
from casework.monitoring.scoring import default_definition
from core.permissions import Role
from tests.casework.monitoring.test_monitoring import VISIT
from tests.factories import csrf_token, make_account, sign_in

ODD = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=50),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<b onmouseover=alert(1)>x</b>",
            "'; DROP TABLE survey_version; --",
            "x" * 20000,
            "9" * 400,
            "-0",
            "1e308",
            "NaN",
            "2026-13-45",
            "\x00",
            "\u202e\u200f",
        ]
    ),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(response) -> None:
    assert response.status_code in (200, 302, 400), response.status_code
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "<b onmouseover" not in body


def test_visit_form_never_fails_on_odd_input(app, db_session, client, farida):
    token = csrf_token(client, f"{farida}/monitoring/new")
    fields = [*VISIT, "answer_wish_to_migrate", "answer_housing"]

    @FUZZ
    @given(field=st.sampled_from(fields), value=ODD, extra=st.dictionaries(st.text(), ODD))
    def check(field, value, extra):
        data = {**extra, **VISIT, field: value, "csrf_token": token}
        _check(client.post(f"{farida}/monitoring/new", data=data))

    check()
    assert client.get(farida).status_code == 200
    assert client.get(f"{farida}/monitoring/").status_code == 200


def test_survey_weights_form_never_fails_on_odd_input(app, db_session, client):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    token = csrf_token(client, "/cases/monitoring-survey/")
    definition = default_definition()
    base = {f"dimension_{d}": "1" for d in definition["dimensions"]}
    base |= {f"weight_{i['code']}": "1" for i in definition["indicators"]}
    fields = [*base, "based_on", "official"]

    @FUZZ
    @given(field=st.sampled_from(fields), value=ODD)
    def check(field, value):
        number = db_session.scalar(
            select(SurveyVersion.number).order_by(SurveyVersion.number.desc())
        )
        data = {**base, "based_on": str(number), field: value, "csrf_token": token}
        _check(client.post("/cases/monitoring-survey/", data=data))

    check()
    page = client.get("/cases/monitoring-survey/")
    assert page.status_code == 200
    for version in db_session.scalars(select(SurveyVersion)):
        weights = [i["weight"] for i in version.definition["indicators"]]
        assert all(0 <= w <= 100 for w in weights)


def test_add_indicator_form_never_fails_on_odd_input(app, db_session, client):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    token = csrf_token(client, "/cases/monitoring-survey/")
    base = {"dimension": "social", "question": "Children go to school", "answers": "No\nYes"}

    @FUZZ
    @given(field=st.sampled_from([*base, "based_on"]), value=ODD)
    def check(field, value):
        number = db_session.scalar(
            select(SurveyVersion.number).order_by(SurveyVersion.number.desc())
        )
        data = {**base, "based_on": str(number), field: value, "csrf_token": token}
        _check(client.post("/cases/monitoring-survey/indicators", data=data))

    check()
    assert client.get("/cases/monitoring-survey/").status_code == 200
