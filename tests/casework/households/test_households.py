"""Households: the family flow, the panel as each viewer may see it, changes with optimistic
locking, erasure of one member, and the answers to ``household_cases_asking`` and
``guardians_asking`` (route tests on both databases)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.households.models import Household, HouseholdMember
from casework.models import Case, Person
from casework.signals import guardians_asking, household_cases_asking
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from core.security import Actor
from core.signals import collect
from tests.casework.helpers import FARIDA, case_url, register
from tests.casework.households.helpers import (
    CHILD_1,
    SPOUSE,
    prefilled,
    register_family,
    register_head,
    register_member,
)
from tests.factories import make_account, post_form, sign_in


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _cases(db_session) -> dict[str, Case]:
    """The family's cases by Latin name."""
    db_session.expire_all()
    return {c.person.name_latin: c for c in db_session.scalars(select(Case))}


def _member(db_session, case: Case) -> HouseholdMember:
    return db_session.scalar(
        select(HouseholdMember).where(HouseholdMember.person_id == case.person_id)
    )


def _actions(db_session) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_a_family_of_four_in_one_flow_each_case_shows_the_household(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    head_url = register_head(client)
    shared = prefilled(client, head_url)
    assert shared["address_region"] == "Herat" and shared["place"] == "Islam Qala border point"
    assert shared["nationality"] == "AF" and shared["case_type"] == "presumed_victim"
    for member in (SPOUSE, CHILD_1):
        assert register_member(client, head_url, member).status_code == 302
    cases = _cases(db_session)
    assert set(cases) == {"Ahmad Nazari", "Farida Nazari", "Maryam Nazari"}
    households = db_session.scalars(select(Household)).all()
    assert len(households) == 1 and len(households[0].members) == 3
    # Each member is their own person with their own case, and the shared details.
    assert len({c.person_id for c in cases.values()}) == 3
    assert cases["Maryam Nazari"].person.address["region"] == "Herat"
    assert cases["Maryam Nazari"].place == "Islam Qala border point"
    for case in cases.values():
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert 'id="household"' in page
        for other in cases.values():
            assert other.person.name_original in page
    child_page = client.get(f"/cases/{cases['Maryam Nazari'].id}").get_data(as_text=True)
    assert "Parents or guardians:" in child_page
    actions = _actions(db_session)
    assert actions.count("household.created") == 1
    assert actions.count("household.member_added") == 2
    assert "household.viewed" in actions


def test_the_family_flow_still_checks_each_person_for_duplicates(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    register(client, FARIDA)  # Farida, registered before, outside the household
    head_url = register_head(client)
    response = register_member(client, head_url, SPOUSE)
    assert response.status_code == 200
    assert "Possible matches" in response.get_data(as_text=True)
    assert register_member(client, head_url, SPOUSE, confirm_new=True).status_code == 302


def test_members_the_viewer_may_not_open_are_shown_without_their_name(
    app, db_session, client, caseworker, supervisor, agency
):
    sign_in(client, caseworker, db_session)
    head_url = register_family(client)
    cases = _cases(db_session)
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    spouse = cases["Farida Nazari"]
    response = post_form(
        boss,
        f"/cases/{spouse.id}/assign",
        {"assignee": str(colleague.user.id)},
        f"/cases/{spouse.id}",
    )
    assert response.status_code == 302
    page = client.get(head_url).get_data(as_text=True)
    assert spouse.person.name_original not in page
    assert f"/cases/{spouse.id}" not in page
    assert "a household member in a caseload you cannot open" in page
    # The supervisor sees every member by name.
    assert spouse.person.name_original in boss.get(head_url).get_data(as_text=True)
    # Nor may the caseworker change that member from the household.
    member = _member(db_session, spouse)
    response = post_form(
        client, f"{head_url}/household/members/{member.id}/remove", {"version": "9"}, head_url
    )
    assert response.status_code == 403


def test_another_organisation_sees_no_household_and_cannot_touch_it(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    head_url = register_family(client)
    member = _member(db_session, _cases(db_session)["Farida Nazari"])
    outsider = app.test_client()
    sign_in(outsider, make_account(app, db_session, Role.SUPERVISOR), db_session)
    assert outsider.get(f"{head_url}/household/add").status_code == 403
    assert outsider.get(f"{head_url}/household/register").status_code == 403
    response = post_form(
        outsider,
        f"{head_url}/household/members/{member.id}/role",
        {"role": "child"},
        "/cases/",
    )
    assert response.status_code == 403


def test_change_a_relationship_and_a_stale_form_is_a_conflict(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    head_url = register_family(client)
    member = _member(db_session, _cases(db_session)["Maryam Nazari"])
    version = member.household.version
    prefix = f"m-{member.id.hex[:12]}"
    path = f"{head_url}/household/members/{member.id}/role"
    data = {
        f"{prefix}-role": "dependant",
        f"{prefix}-role_detail": "niece",
        f"{prefix}-version": version,
    }
    assert post_form(client, path, data, head_url).status_code == 302
    db_session.expire_all()
    assert member.role == "dependant" and member.role_detail == "niece"
    stale = {**data, f"{prefix}-role": "relative"}
    response = post_form(client, path, stale, head_url)
    assert response.status_code == 409
    assert "changed this household" in response.get_data(as_text=True)
    db_session.expire_all()
    assert member.role == "dependant"
    bad = {**data, f"{prefix}-role": "king", f"{prefix}-version": member.household.version}
    assert post_form(client, path, bad, head_url).status_code == 302
    db_session.expire_all()
    assert member.role == "dependant"
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "household.member_changed")
    ).all()
    assert len(events) == 1 and "niece" not in str(events[0].details)


def test_remove_a_member_keeps_their_case(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    head_url = register_family(client)
    child = _cases(db_session)["Maryam Nazari"]
    member = _member(db_session, child)
    path = f"{head_url}/household/members/{member.id}/remove"
    assert (
        post_form(client, path, {"version": member.household.version}, head_url).status_code == 302
    )
    db_session.expire_all()
    assert _member(db_session, child) is None
    assert db_session.get(Case, child.id) is not None
    assert child.person.name_original not in client.get(head_url).get_data(as_text=True)
    assert "household.member_removed" in _actions(db_session)


def test_add_a_person_who_has_a_case(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    first = case_url(register(client, FARIDA))
    second = case_url(
        register(
            client,
            {**FARIDA, "name_original": "Zahra", "name_latin": "Zahra", "document_number": "Z-1"},
            confirm_new=True,
        )
    )
    other = app.test_client()
    sign_in(other, make_account(app, db_session, Role.CASEWORKER, organisation=None), db_session)
    page = client.get(f"{first}/household/add").get_data(as_text=True)
    assert "Zahra" in page
    second_id = second.rsplit("/", 1)[1]
    data = {"member_case": second_id, "role": "spouse", "own_role": "head", "version": "0"}
    assert post_form(client, f"{first}/household/add", data).status_code == 302
    db_session.expire_all()
    household = db_session.scalar(select(Household))
    assert sorted(m.role for m in household.members) == ["head", "spouse"]
    # Again: she is in a household already (and no longer offered).
    again = post_form(client, f"{first}/household/add", {**data, "version": household.version})
    assert again.status_code == 200
    # A made-up case is refused with a message, not a 500.
    made_up = {**data, "member_case": str(uuid.uuid4()), "version": household.version}
    assert post_form(client, f"{first}/household/add", made_up).status_code == 200


def test_a_colleagues_case_cannot_be_added(app, db_session, client, caseworker, agency):
    colleague = app.test_client()
    sign_in(
        colleague, make_account(app, db_session, Role.CASEWORKER, organisation=agency), db_session
    )
    theirs = case_url(register(colleague, FARIDA))
    sign_in(client, caseworker, db_session)
    mine = case_url(register(client, {**FARIDA, "name_original": "Zahra"}, confirm_new=True))
    assert "Farida" not in client.get(f"{mine}/household/add").get_data(as_text=True)
    data = {"member_case": theirs.rsplit("/", 1)[1], "role": "spouse", "version": "0"}
    response = post_form(client, f"{mine}/household/add", data)
    assert response.status_code == 200
    assert db_session.scalar(select(Household)) is None


def test_erasing_one_member_erases_only_that_person(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    head_url = register_family(client)
    cases = _cases(db_session)
    spouse = cases["Farida Nazari"]
    result = app.test_cli_runner().invoke(
        args=[
            "cases",
            "erase-person",
            spouse.case_number,
            "--reason",
            "Request of the person",
            "--yes",
        ]
    )
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    erased = db_session.scalars(select(Person).where(Person.erased_at.is_not(None))).all()
    assert [p.id for p in erased] == [spouse.person_id]
    member = _member(db_session, spouse)
    assert member is not None and member.role == ""  # the link stays, with nothing of hers
    page = client.get(head_url).get_data(as_text=True)
    assert "A household member whose data was erased" in page
    assert "Ahmad Nazari" in page or "احمد نظری" in page
    head = cases["Ahmad Nazari"]
    ids = collect(household_cases_asking, head, list, session=db_session)[0]
    assert spouse.id not in ids and head.id in ids and len(ids) == 3


def test_household_cases_and_guardians_answers(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    register_family(client)
    cases = _cases(db_session)
    for case in cases.values():
        ids = collect(household_cases_asking, case, list, session=db_session)[0]
        assert sorted(ids, key=str) == sorted((c.id for c in cases.values()), key=str)
    actor = Actor(caseworker.user.id, Role.CASEWORKER, caseworker.user.organisation_id)
    child = cases["Maryam Nazari"]
    answers = collect(guardians_asking, child, list, session=db_session, actor=actor)[0]
    assert sorted(name for name, _relationship in answers) == sorted(
        [cases["Ahmad Nazari"].person.name_original, cases["Farida Nazari"].person.name_original]
    )
    outsider = Actor(uuid.uuid4(), Role.CASEWORKER, caseworker.user.organisation_id)
    assert collect(guardians_asking, child, list, session=db_session, actor=outsider)[0] == []


def test_a_childs_consent_records_the_guardian_from_the_household(
    app, db_session, client, caseworker
):
    from casework.consent.models import LegalBasisRecord

    sign_in(client, caseworker, db_session)
    register_family(client)
    cases = _cases(db_session)
    child_url = f"/cases/{cases['Maryam Nazari'].id}"
    page = client.get(f"{child_url}/consent/new").get_data(as_text=True)
    head_name = cases["Ahmad Nazari"].person.name_original
    assert "Parent or guardian in the household" in page and head_name in page
    data = {
        "basis": "consent",
        "purpose": "Share school needs with the teacher",
        "given_by": "parent_or_guardian",
        "guardian_choice": head_name,
        "child_assent": "yes",
        "method": "written",
        "given_on": "2026-10-02",
        "service_types": ["education"],
    }
    assert post_form(client, f"{child_url}/consent/new", data).status_code == 302
    db_session.expire_all()
    basis = db_session.scalar(select(LegalBasisRecord))
    assert basis.guardian_name == head_name
    made_up = {**data, "guardian_choice": "Somebody Else"}
    assert post_form(client, f"{child_url}/consent/new", made_up).status_code == 200
