"""Casework actions produce exactly the expected audit events (views and searches included)."""

from __future__ import annotations

import io

import pytest

from core.permissions import Role
from tests.audit.conftest import csrf_token, events_after, head_seq, sign_in
from tests.casework.helpers import FARIDA, PDF_BYTES
from tests.referrals.audit_scenarios import REFERRAL_SCENARIOS

Expected = list[tuple[str, str, str | None]]


def _post(client, path: str, data: dict, token_from: str = "/account", **kwargs):
    """POST with a CSRF token taken from a page that records nothing (the account page)."""
    page = client.get(token_from)
    return client.post(
        path, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))}, **kwargs
    )


def _register(client, data: dict | None = None) -> str:
    response = _post(client, "/cases/new", dict(data or FARIDA))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def registered(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: _register(ctx["client"])), [
        ("person.duplicate_check", "ok", "person"),
        ("person.created", "ok", "person"),
        ("case.created", "ok", "case"),
    ]


def case_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (lambda: ctx["client"].get(url)), [("case.viewed", "ok", "case")]


def caseload_listed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    _register(ctx["client"])
    return (lambda: ctx["client"].get("/cases/")), [("case.listed", "ok", "case")]


def person_searched(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    _register(ctx["client"])
    return (lambda: _post(ctx["client"], "/cases/search", {"kind": "name", "term": "Farida"})), [
        ("person.searched", "ok", "person")
    ]


def note_added(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (lambda: _post(ctx["client"], f"{url}/notes", {"body": "Met today."})), [
        ("case.note_added", "ok", "case")
    ]


def case_refused(ctx):
    writer = ctx["app"].test_client()
    sign_in(writer, ctx["make_account"](Role.CASEWORKER))
    url = _register(writer)
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get(url)), [("access.denied", "denied", "case")]


def emergency_access(ctx):
    writer = ctx["app"].test_client()
    sign_in(writer, ctx["make_account"](Role.CASEWORKER))
    url = _register(writer)
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (
        lambda: _post(
            ctx["client"],
            f"{url}/emergency",
            {"reason": "Medical emergency at the centre tonight."},
        )
    ), [("case.emergency_access", "ok", "case")]


def consent_recorded(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    data = {
        "basis": "consent",
        "purpose": "Share medical needs with the doctor",
        "given_by": "person",
        "method": "written",
        "given_on": "2026-10-02",
        "service_types": ["health"],
    }
    return (lambda: _post(ctx["client"], f"{url}/consent/new", data)), [
        ("consent.recorded", "ok", "legal_basis")
    ]


def attachment_downloaded(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    response = _post(
        ctx["client"],
        f"{url}/attachments/new",
        {"description": "scan", "attachment_file": (io.BytesIO(PDF_BYTES), "scan.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = ctx["client"].get(url).get_data(as_text=True)
    import re

    link = re.search(r'href="(/cases/[^"]+/attachments/[^"]+)"', page).group(1)
    return (lambda: ctx["client"].get(link).get_data()), [
        ("attachment.downloaded", "ok", "attachment")
    ]


def person_erased(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    _register(ctx["client"])
    from sqlalchemy import select

    from casework.models import Case

    number = ctx["session"].scalar(select(Case.case_number))
    runner = ctx["app"].test_cli_runner()
    return (
        lambda: runner.invoke(
            args=["cases", "erase-person", number, "--reason", "request of the person", "--yes"]
        )
    ), [("person.erased", "ok", "person"), ("case.person_erased", "ok", "case")]


SCENARIOS = [
    registered,
    case_viewed,
    caseload_listed,
    person_searched,
    note_added,
    case_refused,
    emergency_access,
    consent_recorded,
    attachment_downloaded,
    person_erased,
    *REFERRAL_SCENARIOS,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_casework_action_produces_exactly_the_expected_events(
    app, client, db_session, make_account, scenario
):
    ctx = {"app": app, "client": client, "session": db_session, "make_account": make_account}
    act, expected = scenario(ctx)
    before = head_seq(db_session)
    act()
    events = events_after(db_session, before)
    assert [(e.action, e.outcome, e.object_type) for e in events] == expected
