"""Odd input never makes the household forms fail with 500 or render markup: adding a member,
changing a relationship, removing a member, and registering a family member."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from casework.households.models import Household, HouseholdMember
from tests.casework.households.helpers import register_family
from tests.casework.test_consent_screening_fuzz import ODD
from tests.factories import csrf_token, sign_in

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(response) -> None:
    assert response.status_code in (200, 302, 400, 403, 404, 409), response.status_code
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "<b onmouseover" not in body


@pytest.mark.parametrize("field", ["member_case", "role", "role_detail", "own_role", "version"])
def test_add_member_form(app, db_session, client, caseworker, field):
    sign_in(client, caseworker, db_session)
    head = register_family(client)
    path = f"{head}/household/add"
    token = csrf_token(client, path)
    base = {"member_case": "", "role": "child", "version": "1", "csrf_token": token}

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(client.post(path, data={**base, field: value}))

    check()
    assert client.get(head).status_code == 200


@pytest.mark.parametrize("field", ["role", "role_detail", "version"])
def test_change_role_form(app, db_session, client, caseworker, field):
    sign_in(client, caseworker, db_session)
    head = register_family(client)
    member = db_session.scalar(select(HouseholdMember).where(HouseholdMember.role == "spouse"))
    prefix = f"m-{member.id.hex[:12]}"
    path = f"{head}/household/members/{member.id}/role"
    token = csrf_token(client, head)

    @FUZZ
    @given(value=ODD)
    def check(value):
        db_session.expire_all()
        version = db_session.scalar(select(Household.version))
        data = {
            f"{prefix}-role": "spouse",
            f"{prefix}-version": str(version),
            "csrf_token": token,
            f"{prefix}-{field}": value,
        }
        _check(client.post(path, data=data))

    check()
    assert client.get(head).status_code == 200


def test_remove_member_form(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    head = register_family(client)
    member = db_session.scalar(select(HouseholdMember).where(HouseholdMember.role == "spouse"))
    path = f"{head}/household/members/{member.id}/remove"
    token = csrf_token(client, head)

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(client.post(path, data={"version": value, "csrf_token": token}))

    check()
    assert client.get(head).status_code == 200


@pytest.mark.parametrize("field", ["role", "role_detail", "name_original", "address_region"])
def test_register_member_form(app, db_session, client, caseworker, field):
    sign_in(client, caseworker, db_session)
    head = register_family(client)
    path = f"{head}/household/register"
    token = csrf_token(client, path)
    # No case type: nothing is registered, every value only goes through validation.
    base = {"name_original": "Test", "role": "child", "csrf_token": token}

    @FUZZ
    @given(value=ODD)
    def check(value):
        _check(client.post(path, data={**base, field: value}))

    check()
    assert client.get(head).status_code == 200
