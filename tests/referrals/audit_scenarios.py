"""Referral rows for the table-driven audit coverage test (tests/audit/test_coverage_casework.py).

Each scenario prepares through the real pages and returns the action under test with the
exact audit events it must produce.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from casework.consent.models import LegalBasisRecord
from core.permissions import Role
from referrals.models import Referral
from tests.casework.helpers import FARIDA
from tests.factories import make_account, make_organisation, post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE
from tests.referrals.helpers import make_service


def _prepared(ctx, *, send: bool = True):
    """A caseworker (on ctx["client"]) with a consented case; a provider on a second client."""
    app, db = ctx["app"], ctx["session"]
    agency = make_organisation(app, db, agency=True)
    clinic = make_organisation(app, db, agency=False, provider=True)
    worker = make_account(app, db, Role.CASEWORKER, organisation=agency)
    staff = make_account(app, db, Role.PROVIDER_STAFF, organisation=clinic)
    service = make_service(db, organisation_id=clinic.id)
    client = ctx["client"]
    sign_in(client, worker, db)
    response = post_form(client, "/cases/new", dict(FARIDA), token_from=QUIET_PAGE)
    case_url = response.headers["Location"]
    consent = {
        "basis": "consent",
        "purpose": "Clinic",
        "given_by": "person",
        "method": "written",
        "given_on": "2026-10-02",
        "organisations": [str(clinic.id)],
        "service_types": ["health"],
    }
    assert (
        post_form(client, f"{case_url}/consent/new", consent, token_from=QUIET_PAGE).status_code
        == 302
    )
    basis = db.scalar(select(LegalBasisRecord).order_by(LegalBasisRecord.recorded_at.desc()))
    new = f"/referrals/cases/{case_url.rsplit('/', 1)[1]}/new/{service.id}/send"
    form = {
        "urgency": "routine",
        "reason": "Check-up",
        "legal_basis": str(basis.id),
        "fields": ["name_latin"],
    }
    provider = app.test_client()
    sign_in(provider, staff, db)
    state = {"case_url": case_url, "basis": basis, "new": new, "form": form, "provider": provider}
    if send:
        response = post_form(client, new, form, token_from=QUIET_PAGE)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        db.expire_all()
        state["referral"] = db.scalar(select(Referral).order_by(Referral.created_at.desc()))
    return state


def _r(action: str, outcome: str = "ok") -> tuple[str, str, str]:
    return (action, outcome, "referral")


def referral_sent(ctx):
    s = _prepared(ctx, send=False)
    return (lambda: post_form(ctx["client"], s["new"], s["form"], token_from=QUIET_PAGE)), [
        _r("referral.sent"),
        _r("notification.sent"),
    ]


def referral_viewed_by_referrer(ctx):
    s = _prepared(ctx)
    url = f"/referrals/{s['referral'].id}/sent"
    return (lambda: ctx["client"].get(url)), [_r("referral.viewed")]


def referral_disclosed(ctx):
    s = _prepared(ctx)
    url = f"/referrals/{s['referral'].id}"
    return (lambda: s["provider"].get(url)), [_r("referral.disclosed")]


def referral_closed_viewed_by_provider(ctx):
    s = _prepared(ctx)
    post_form(
        s["provider"],
        f"/referrals/{s['referral'].id}/decline",
        {"reason": "Full", "reason_code": "no_capacity"},
        token_from=QUIET_PAGE,
    )
    url = f"/referrals/{s['referral'].id}"
    return (lambda: s["provider"].get(url)), [_r("referral.viewed")]


def referral_inbox_viewed(ctx):
    s = _prepared(ctx)
    return (lambda: s["provider"].get("/referrals/inbox")), [_r("referral.inbox_viewed")]


def referral_accepted(ctx):
    s = _prepared(ctx)
    url = f"/referrals/{s['referral'].id}/accept"
    return (lambda: post_form(s["provider"], url, {}, token_from=QUIET_PAGE)), [
        _r("referral.accepted"),
        _r("notification.sent"),
    ]


def referral_declined(ctx):
    s = _prepared(ctx)
    url = f"/referrals/{s['referral'].id}/decline"
    return (
        lambda: post_form(
            s["provider"],
            url,
            {"reason": "Full", "reason_code": "no_capacity"},
            token_from=QUIET_PAGE,
        )
    ), [
        _r("referral.declined"),
        _r("notification.sent"),
    ]


def referral_completed(ctx):
    s = _prepared(ctx)
    post_form(s["provider"], f"/referrals/{s['referral'].id}/accept", {}, token_from=QUIET_PAGE)
    url = f"/referrals/{s['referral'].id}/complete"
    from core.clock import utcnow

    data = {"outcome": "Done", "outcome_date": utcnow().date().isoformat()}
    return (lambda: post_form(s["provider"], url, data, token_from=QUIET_PAGE)), [
        _r("referral.completed"),
        _r("notification.sent"),
    ]


def referral_not_completed(ctx):
    s = _prepared(ctx)
    post_form(s["provider"], f"/referrals/{s['referral'].id}/accept", {}, token_from=QUIET_PAGE)
    url = f"/referrals/{s['referral'].id}/not-completed"
    return (lambda: post_form(s["provider"], url, {"reason": "Left"}, token_from=QUIET_PAGE)), [
        _r("referral.not_completed"),
        _r("notification.sent"),
    ]


def referral_cancelled(ctx):
    s = _prepared(ctx)
    url = f"/referrals/{s['referral'].id}/cancel"
    return (lambda: post_form(ctx["client"], url, {"reason": "No"}, token_from=QUIET_PAGE)), [
        _r("referral.cancelled"),
        _r("notification.sent"),
    ]


def referral_cancelled_by_withdrawal(ctx):
    s = _prepared(ctx)
    url = f"{s['case_url']}/consent/{s['basis'].id}/withdraw"
    return (lambda: post_form(ctx["client"], url, {"reason": "Said no"}, token_from=QUIET_PAGE)), [
        ("consent.withdrawn", "ok", "legal_basis"),
        _r("referral.cancelled"),
        _r("notification.sent"),
    ]


def referral_expired(ctx):
    s = _prepared(ctx)
    db = ctx["session"]
    from core.clock import utcnow

    db.execute(
        update(Referral)
        .where(Referral.id == s["referral"].id)
        .values(respond_by=utcnow() - timedelta(minutes=1))
    )
    db.commit()
    runner = ctx["app"].test_cli_runner()
    return (lambda: runner.invoke(args=["referrals", "expire"])), [
        _r("referral.expired"),
        _r("notification.sent"),
    ]


def referral_refused_to_another_provider(ctx):
    s = _prepared(ctx)
    app, db = ctx["app"], ctx["session"]
    other = make_account(app, db, Role.PROVIDER_STAFF)
    outsider = app.test_client()
    sign_in(outsider, other, db)
    url = f"/referrals/{s['referral'].id}"
    return (lambda: outsider.get(url)), [_r("access.denied", "denied")]


REFERRAL_SCENARIOS = [
    referral_sent,
    referral_viewed_by_referrer,
    referral_disclosed,
    referral_closed_viewed_by_provider,
    referral_inbox_viewed,
    referral_accepted,
    referral_declined,
    referral_completed,
    referral_not_completed,
    referral_cancelled,
    referral_cancelled_by_withdrawal,
    referral_expired,
    referral_refused_to_another_provider,
]
