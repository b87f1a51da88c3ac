"""Odd input never makes the assessment and plan forms fail with 500, nor render markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casework.planning.models import PlanAction
from tests.casework.planning_helpers import ASSESSMENT, action, planned_case
from tests.factories import csrf_token, sign_in

ODD = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=50),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<b onmouseover=alert(1)>x</b>",
            "'; DROP TABLE plan_action; --",
            "x" * 20000,
            "9" * 400,
            "-1",
            "0",
            "2026-13-45",
            "0001-01-01",
            "9999-12-31",
            "\u202e\u200f",
            "\x00",
            "00000000-0000-0000-0000-000000000000",
            "approve",
            "return",
            "high",
        ]
    ),
)
ACTION_FIELDS = [*action(), "version"]
ROWS = {
    f"rows-{n}-{name}": value
    for n in range(2)
    for name, value in action().items()
    if name != "status"
}
ROW_FIELDS = [*ROWS, "version", "more", "rows-2-description", "rows-²-description"]
PAGES = {
    "assessments/new": (list(ASSESSMENT), ASSESSMENT),
    "plan/actions/new": (ACTION_FIELDS, action()),
    "plan/actions/": (ROW_FIELDS, {**ROWS, "version": "2"}),
    "plan/actions/{action}": (ACTION_FIELDS, action(version="1")),
    "plan/actions/{action}/status": (["status"], {"status": "done"}),
    "plan/actions/{action}/remove": (["version"], {"version": "1"}),
    "plan/submit": (["version"], {"version": "1"}),
    "plan/review": (["decision", "comment", "version"], {"decision": "return", "version": "1"}),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_planning_forms_never_fail_on_odd_input(
    app, db_session, client, caseworker, farida, supervisor, page
):
    planned_case(client, farida)
    action_id = db_session.scalar(select(PlanAction.id))
    path = f"{farida}/" + page.format(action=action_id)
    poster = client
    if page == "plan/review":
        poster = app.test_client()
        sign_in(poster, supervisor, db_session)
    token = csrf_token(poster, f"{farida}/plan/")
    fields, base = PAGES[page]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(field=st.sampled_from(fields), value=ODD)
    def check(field, value):
        data = {**base, field: value, "csrf_token": token}
        response = poster.post(path, data=data)
        assert response.status_code in (200, 302, 400, 404, 409), response.status_code
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "<b onmouseover" not in body

    check()
    for view in ("", "/plan/", "/assessments/"):
        response = client.get(f"{farida}{view}")
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


ODD_KEYS = st.sampled_from(
    [
        "rows-²-description",
        "rows-１-description",
        "rows-99999999999999999999-description",
        "rows--1-description",
        "rows-0",
        "rows-0-",
        "rows-0-status",
        "rows-0-rows-0-description",
        "rows-\x00-description",
        "rows-1e3-due_on",
    ]
)


def test_the_rows_form_never_fails_on_odd_row_names(app, db_session, client, caseworker, farida):
    """Row numbers come from the posted names: none of these may make a 500."""
    planned_case(client, farida)
    token = csrf_token(client, f"{farida}/plan/")
    before = len(db_session.scalars(select(PlanAction)).all())

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(keys=st.lists(ODD_KEYS, min_size=1, max_size=4), value=ODD, more=st.booleans())
    def check(keys, value, more):
        data = {key: value for key in keys} | {"version": "0", "csrf_token": token}
        if more:
            data["more"] = "1"
        response = client.post(f"{farida}/plan/actions/", data=data)
        assert response.status_code in (200, 400, 409), response.status_code
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)

    check()
    db_session.expire_all()
    assert len(db_session.scalars(select(PlanAction)).all()) == before  # a stale version
