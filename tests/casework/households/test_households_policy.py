"""The household rules in Python agree with their SQL twins, for every kind of viewer; and
nothing personal about a member is stored in the clear."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from casework.households import services
from casework.households.models import Household, HouseholdMember
from casework.households.policy import (
    can_view_household,
    openable_case,
    visible_households,
    visible_members,
)
from casework.models import Case
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from tests.casework.households.helpers import register_family
from tests.factories import make_account, make_organisation, post_form, sign_in


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _actor(account) -> Actor:
    return Actor(account.user.id, Role(account.user.role), account.user.organisation_id)


@pytest.fixture
def family(app, db_session, client, caseworker, supervisor, agency):
    """A family of four; the spouse's case handed to a colleague. The viewers by name."""
    sign_in(client, caseworker, db_session)
    register_family(client)
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    spouse = next(
        c for c in db_session.scalars(select(Case)) if c.person.name_latin == "Farida Nazari"
    )
    url = f"/cases/{spouse.id}"
    assert (
        post_form(boss, f"{url}/assign", {"assignee": str(colleague.user.id)}, url).status_code
        == 302
    )
    other = make_organisation(app, db_session, agency=True)
    return {
        "caseworker": caseworker,
        "colleague": colleague,
        "stranger": make_account(app, db_session, Role.CASEWORKER, organisation=agency),
        "supervisor": supervisor,
        "other_supervisor": make_account(app, db_session, Role.SUPERVISOR, organisation=other),
        "provider": make_account(app, db_session, Role.PROVIDER_STAFF),
        "auditor": make_account(app, db_session, Role.AUDITOR),
        "administrator": make_account(app, db_session, Role.ADMINISTRATOR),
    }


@pytest.mark.parametrize(
    "who",
    [
        "caseworker",
        "colleague",
        "stranger",
        "supervisor",
        "other_supervisor",
        "provider",
        "auditor",
        "administrator",
    ],
)
def test_python_rules_and_sql_twins_agree(db_session, family, who):
    db_session.expire_all()
    actor = _actor(family[who])
    household = db_session.scalar(select(Household))
    cases = services.cases_of(db_session, household)
    all_cases = [c for found in cases.values() for c in found]
    in_python = can_view_household(actor, household, all_cases)
    in_sql = db_session.scalar(select(Household.id).where(visible_households(actor))) is not None
    assert in_python == in_sql
    assert in_python == (who in {"caseworker", "colleague", "supervisor"})
    named_python = {
        m.id for m in household.members if openable_case(actor, cases[m.person_id]) is not None
    }
    named_sql = set(db_session.scalars(select(HouseholdMember.id).where(visible_members(actor))))
    assert named_python == named_sql
    expected = {"caseworker": 3, "colleague": 1, "supervisor": 4}.get(who, 0)
    assert len(named_python) == expected


def test_nothing_personal_of_a_member_is_stored_in_the_clear(db_session, family):
    member = db_session.scalar(select(HouseholdMember).where(HouseholdMember.role == "spouse"))
    member.role_detail = "second wife"
    db_session.flush()
    raw = db_session.execute(
        select(HouseholdMember.__table__.c.role_detail).where(
            HouseholdMember.__table__.c.id == member.id
        )
    ).scalar_one()
    assert isinstance(raw, bytes) and b"second wife" not in raw
    assert member.role_detail == "second wife"


def test_an_unknown_member_is_not_found(app, db_session, client, family):
    head = db_session.scalar(select(Case).order_by(Case.opened_at))
    url = f"/cases/{head.id}/household/members/{uuid.uuid4()}/remove"
    assert post_form(client, url, {"version": "1"}, f"/cases/{head.id}").status_code == 404
