"""Odd input never makes the consent and screening forms fail with 500, nor render markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.casework.helpers import CONSENT, SCREENING, registered_case
from tests.factories import csrf_token, sign_in

ODD = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=50),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<b onmouseover=alert(1)>x</b>",
            "'; DROP TABLE legal_basis; --",
            "1 OR 1=1",
            "x" * 20000,
            "9" * 400,
            "-1",
            "2026-13-45",
            "0000-00-00",
            "\u202e\u200f",
            "\x00",
            "../../etc/passwd",
        ]
    ),
)
FIELDS = {
    "consent/new": [
        *CONSENT,
        "justification",
        "guardian_name",
        "child_assent",
        "organisations",
        "any_provider",
    ],
    "screening/new": list(SCREENING),
    "screening/reflection": ["starts_on", "days"],
}


@pytest.mark.parametrize("page", list(FIELDS))
def test_forms_never_fail_on_odd_input(app, db_session, client, caseworker, page):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    token = csrf_token(client, f"{url}/{page}")
    base = {**CONSENT, **SCREENING, "starts_on": "2026-10-01", "days": "30"}

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        field=st.sampled_from(FIELDS[page]),
        value=ODD,
        basis=st.sampled_from(["consent", "public_interest", "x"]),
    )
    def check(field, value, basis):
        data = {**base, "basis": basis, field: value, "csrf_token": token}
        response = client.post(f"{url}/{page}", data=data)
        assert response.status_code in (200, 302, 400), response.status_code
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "<b onmouseover" not in body

    check()
    page_body = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page_body
    assert client.get(f"{url}/consent/").status_code == 200
    assert client.get(f"{url}/screening/").status_code == 200
