"""Second reader's attack tests (issue 17): a caseworker learns nothing that names a household
member whose case they cannot open (panel, guardian choice on consent, add-member choices,
the family page), and cannot act on another household's member by id."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from casework.households.models import HouseholdMember
from casework.models import Case
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from tests.casework.households.helpers import HEAD, register_family, register_head
from tests.factories import make_account, post_form, sign_in


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _cases(db_session) -> dict[str, Case]:
    db_session.expire_all()
    return {c.person.name_latin: c for c in db_session.scalars(select(Case))}


def test_review_hidden_guardian_is_named_nowhere(
    app, db_session, client, caseworker, supervisor, agency
):
    sign_in(client, caseworker, db_session)
    register_family(client)
    cases = _cases(db_session)
    head, child = cases["Ahmad Nazari"], cases["Maryam Nazari"]
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    for moved in (head, cases["Farida Nazari"]):
        response = post_form(
            boss,
            f"/cases/{moved.id}/assign",
            {"assignee": str(colleague.user.id)},
            f"/cases/{moved.id}",
        )
        assert response.status_code == 302
    hidden = {head.person.name_original, head.person.name_latin, head.case_number}
    hidden |= {cases["Farida Nazari"].person.name_original, cases["Farida Nazari"].case_number}
    child_url = f"/cases/{child.id}"
    for url in (
        child_url,
        f"{child_url}/consent/new",
        f"{child_url}/household/add",
        f"{child_url}/household/register",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        for secret in hidden:
            assert secret not in page, (url, secret)
        assert f"/cases/{head.id}" not in page, url
    # Posting the hidden guardian's name as the choice is refused (not among the choices).
    data = {
        "basis": "consent",
        "purpose": "Share school needs with the teacher",
        "given_by": "parent_or_guardian",
        "guardian_choice": head.person.name_original,
        "child_assent": "yes",
        "method": "written",
        "given_on": "2026-10-02",
        "service_types": ["education"],
    }
    assert post_form(client, f"{child_url}/consent/new", data).status_code == 200
    # Nor may the caseworker add the colleague's case, or act on the hidden member.
    member = db_session.scalar(
        select(HouseholdMember).where(HouseholdMember.person_id == head.person_id)
    )
    for action, payload in (
        ("role", {"role": "other", "version": "9"}),
        ("remove", {"version": "9"}),
    ):
        response = post_form(
            client, f"{child_url}/household/members/{member.id}/{action}", payload, child_url
        )
        assert response.status_code == 403, action


def test_review_another_households_member_by_id_is_not_found(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    register_family(client)
    cases = _cases(db_session)
    outsider_case = cases["Ali Nazari"]
    # A second family of the same caseworker: its member id used on the first family's case.
    other_head = register_head(
        client,
        {
            **HEAD,
            "name_latin": "Karim Rahimi",
            "name_original": "کریم رحیمی",
            "document_number": "P-7000 999",
            "date_of_birth": "1975-01-01",
        },
        confirm_new=True,
    )
    db_session.expire_all()
    other = db_session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.person_id
            == db_session.get(Case, uuid.UUID(other_head.rsplit("/", 1)[1])).person_id
        )
    )
    url = f"/cases/{outsider_case.id}"
    response = post_form(
        client, f"{url}/household/members/{other.id}/remove", {"version": "1"}, url
    )
    assert response.status_code == 404
