"""Odd input never makes the trafficking-story form fail with 500, nor render markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casework.screening.models import TraffickingStory
from tests.casework.helpers import CONSENT, record_consent, registered_case
from tests.casework.screening.story_helpers import STORY
from tests.factories import csrf_token, sign_in

ODD = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=30),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<b onmouseover=alert(1)>x</b>",
            "'; DROP TABLE trafficking_story; --",
            "x" * 20000,
            "9" * 400,
            "-1",
            "2026-13",
            "0000-00",
            "9999-12",
            "۱۴۰۳-۰۵",
            "٢٠٢٤-٠٢",
            "2024-02\n",
            " 2024-02 ",
            "\u202e\u200f",
            "\x00",
            "xk",
            "ZZ",
        ]
    ),
)
FIELDS = [*STORY, "cooperation"]


@pytest.mark.parametrize("with_basis", [False, True])
def test_the_story_form_never_fails_on_odd_input(app, db_session, client, caseworker, with_basis):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    if with_basis:
        assert record_consent(client, url, CONSENT).status_code == 302
    page = f"{url}/screening/story/edit"
    token = csrf_token(client, page)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        field=st.sampled_from(FIELDS),
        values=st.lists(ODD, min_size=1, max_size=3),
    )
    def check(field, values):
        db_session.expire_all()
        current = db_session.scalar(
            select(TraffickingStory.version).order_by(TraffickingStory.version.desc()).limit(1)
        )
        data = {**STORY, "version": str(current or 0), field: values, "csrf_token": token}
        response = client.post(page, data=data)
        assert response.status_code in (200, 302, 400, 409), response.status_code
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "<b onmouseover" not in body

    check()
    for path in (url, f"{url}/screening/story", page):
        response = client.get(path)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
