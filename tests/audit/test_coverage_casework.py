"""Casework actions produce exactly the expected audit events (views and searches included)."""

from __future__ import annotations

import io

import pytest

from core.permissions import Role
from tests.audit.conftest import csrf_token, events_after, head_seq, sign_in
from tests.casework.helpers import FARIDA, PDF_BYTES

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


def tasks_listed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get("/tasks/")), [("tasks.viewed", "ok", None)]


def _referral(ctx, account, **kwargs):
    """A referral of the account's (new) case to a new provider, made directly."""
    from tests.factories import make_organisation
    from tests.referrals.followup_factories import make_case, make_referral, make_service

    app, db = ctx["app"], ctx["session"]
    provider = make_organisation(app, db, agency=False, provider=True)
    case = make_case(app, db, account.user.organisation_id, account.user.id)
    service = make_service(app, db, provider)
    return make_referral(
        app,
        db,
        case=case,
        referrer_id=account.user.id,
        service=service,
        provider_id=provider.id,
        **kwargs,
    )


def referrals_listed(ctx):
    account = ctx["make_account"](Role.CASEWORKER)
    _referral(ctx, account)
    sign_in(ctx["client"], account)
    return (lambda: ctx["client"].get("/referrals/mine")), [("referral.listed", "ok", "referral")]


def overdue_referrals_listed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    return (lambda: ctx["client"].get("/referrals/overdue")), [
        ("referral.listed", "ok", "referral")
    ]


def referral_figures_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    return (lambda: ctx["client"].get("/referrals/figures")), [
        ("referral_figures.viewed", "ok", "referral")
    ]


def referral_acknowledged(ctx):
    from referrals.vocabulary import ReferralState

    account = ctx["make_account"](Role.CASEWORKER)
    referral = _referral(ctx, account, state=ReferralState.EXPIRED)
    sign_in(ctx["client"], account)
    return (lambda: _post(ctx["client"], f"/referrals/{referral.id}/acknowledge", {})), [
        ("referral.acknowledged", "ok", "referral")
    ]


def referral_notified(ctx):
    from flask import Response

    from core.db import commit_or_rollback, get_session
    from referrals.models import Referral
    from referrals.signals import referral_answered

    account = ctx["make_account"](Role.CASEWORKER)
    referral = _referral(ctx, account)
    app = ctx["app"]

    def act():
        with app.test_request_context("/"):
            db = get_session()
            loaded = db.get(Referral, referral.id)
            loaded.state = "accepted"
            referral_answered.send(app, referral=loaded, event=None)
            commit_or_rollback(Response())

    return act, [("notification.sent", "ok", "referral")]


SCENARIOS = [
    referrals_listed,
    overdue_referrals_listed,
    referral_figures_viewed,
    referral_acknowledged,
    referral_notified,
    tasks_listed,
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
