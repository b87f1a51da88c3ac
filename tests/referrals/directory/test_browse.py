"""Browsing the directory: filters, the empty state, the service page, audit of views."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.permissions import Role
from tests.factories import make_account, sign_in


def _names(client, query: str = "") -> list[str]:
    response = client.get(f"/directory/?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    return [n for n in ("Trauma counselling", "Legal aid desk", "Night shelter") if n in body]


ALL = ["Trauma counselling", "Legal aid desk", "Night shelter"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("type=shelter", ["Night shelter"]),
        ("type=documentation", ["Legal aid desk"]),
        ("area=prisht", ["Trauma counselling"]),
        ("language=AR", ["Night shelter"]),
        ("country=xk", ["Trauma counselling", "Legal aid desk"]),
        ("status=inactive", ["Legal aid desk"]),
        ("q=COUNSEL", ["Trauma counselling"]),
        ("q=haven", ["Night shelter"]),
        ("type=mental_health&language=sr", []),
        # values that cannot match anything are ignored rather than refused
        ("type=bogus&status=closed&country=ZZZ&language=xx1&organization=nope", ALL),
        ("q=%25", []),
    ],
)
def test_filters(as_caseworker, directory, query, expected):
    assert _names(as_caseworker, query) == expected


def test_filter_by_organization(as_caseworker, directory):
    assert _names(as_caseworker, f"organization={directory.ngo.id}") == ["Night shelter"]


def test_empty_states(as_caseworker, directory):
    body = as_caseworker.get("/directory/?q=nothing-like-this").get_data(as_text=True)
    assert "No services match these filters." in body
    assert "Clear filters" in body


def test_empty_directory(as_caseworker):
    body = as_caseworker.get("/directory/").get_data(as_text=True)
    assert "The directory has no services yet." in body


def test_service_page_shows_everything(as_caseworker, directory):
    body = as_caseworker.get(f"/directory/services/{directory.counselling.id}").get_data(
        as_text=True
    )
    for text in (
        "Trauma counselling",
        "Hope Clinic",
        "Mental health and psychosocial support",
        "Albanian",
        "English",
        "Prishtina (Kosovo)",
        "Adults who returned",
        "Centre, Prishtina, Kosovo",
        "Can receive referrals through Homeward",
        "Active",
        "10",
    ):
        assert text in body, text
    assert "Edit the service" not in body  # caseworkers do not manage


def test_listed_only_organization_is_marked(as_caseworker, directory):
    body = as_caseworker.get(f"/directory/services/{directory.shelter.id}").get_data(as_text=True)
    assert "Listed only: not on Homeward, cannot receive referrals" in body


def test_unknown_service_is_404(as_caseworker):
    assert (
        as_caseworker.get("/directory/services/00000000-0000-0000-0000-000000000000").status_code
        == 404
    )


def test_views_are_audited_with_filter_names_only(as_caseworker, db_session, directory):
    as_caseworker.get("/directory/?q=Trauma&language=sq")
    as_caseworker.get(f"/directory/services/{directory.counselling.id}")
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("directory.%")).order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events][-2:] == ["directory.searched", "directory.service_viewed"]
    assert json.loads(events[-2].details) == {"filters": ["language", "q"], "results": 1}
    assert events[-1].object_id == str(directory.counselling.id)


@pytest.mark.parametrize("role", list(Role))
def test_nav_item_for_roles_that_browse(app, client, db_session, role):
    account = make_account(app, db_session, role)
    sign_in(client, account, db_session)
    body = client.get("/account").get_data(as_text=True)
    assert ("Service directory" in body) is (role not in (Role.AUDITOR, Role.ANALYST))


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.ADMINISTRATOR, "/admin/users"),
        (Role.CASEWORKER, "/today/"),
        (Role.PROVIDER_STAFF, "/referrals/inbox"),
    ],
)
def test_the_directory_does_not_change_where_roles_land(app, client, db_session, role, landing):
    sign_in(client, make_account(app, db_session, role), db_session)
    assert client.get("/").headers["Location"] == landing
