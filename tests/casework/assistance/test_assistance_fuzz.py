"""Odd input never makes the assistance forms fail with 500 or render markup: amounts
negative, huge, with many decimals or not numbers at all, unknown currencies and kinds, odd
dates and ids get a 4xx with a message."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework.assistance.models import Disbursement
from core.permissions import Role
from tests.casework.assistance.helpers import grant, latest, record
from tests.casework.test_consent_screening_fuzz import ODD
from tests.factories import csrf_token, make_account, sign_in

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

AMOUNTS = st.one_of(
    ODD,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=-(10**15), max_value=10**15, places=6).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["-0.01", "1e9999", "0.001", "1,000.5", "١٢٣", "۱۲۳٫۵", "Infinity", "   "]),
)


def _check(response) -> None:
    assert 200 <= response.status_code < 500, response.status_code
    if response.status_code >= 400:
        assert 'class="field-error"' in response.get_data(as_text=True) or (
            response.status_code in (400, 403, 404, 409)
        )
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "<b onmouseover" not in body


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("amount", AMOUNTS),
        ("currency", st.one_of(ODD, st.sampled_from(["usd", "XXX", "EURO", "AFN "]))),
        ("kind", ODD),
        ("delivered_on", ODD),
        ("delivered_by", ODD),
        ("plan_action", ODD),
        ("note", ODD),
    ],
)
def test_record_form(app, db_session, client, farida, caseworker, field, values):
    path = f"{farida}/assistance/new"
    token = csrf_token(client, path)
    base = {**grant(caseworker.user.id, amount="10"), "csrf_token": token}

    @FUZZ
    @given(value=values)
    def check(value):
        response = client.post(path, data={**base, field: value})
        _check(response)

    check()
    # Whatever was stored is an amount the currency can hold, in budget.
    for d in db_session.scalars(select(Disbursement)):
        assert d.amount_minor > 0 and d.currency in ("USD", "AFN", "EUR")
    assert client.get(farida).status_code == 200


@pytest.mark.parametrize("field", ["decision", "comment"])
def test_decision_form(app, db_session, client, farida, caseworker, agency, field):
    assert record(client, farida, grant(caseworker.user.id)).status_code == 302
    found = latest(db_session)
    boss = app.test_client()
    sign_in(boss, make_account(app, db_session, Role.SUPERVISOR, organisation=agency), db_session)
    decide = f"{farida}/assistance/{found.id}/decision"
    token = csrf_token(boss, decide)

    @FUZZ
    @given(value=ODD)
    def check(value):
        data = {"decision": "x", "comment": "", field: value, "csrf_token": token}
        _check(boss.post(decide, data=data))

    check()
    assert latest(db_session).status == "pending"


def test_receipt_form(app, db_session, client, farida, caseworker):
    assert record(client, farida, grant(caseworker.user.id, amount="10")).status_code == 302
    found = latest(db_session)
    page = f"{farida}/assistance/{found.id}"
    token = csrf_token(client, page)

    @FUZZ
    @given(data=st.binary(max_size=2000), name=ODD, version=ODD)
    def check(data, name, version):
        response = client.post(
            f"{page}/receipt",
            data={
                "csrf_token": token,
                "version": version,
                "receipt": (io.BytesIO(data), name or "x", "application/pdf"),
            },
            content_type="multipart/form-data",
        )
        _check(response)

    check()
    assert db_session.scalar(select(func.count()).select_from(Disbursement)) == 1
