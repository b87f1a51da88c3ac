"""Assistance's rows of the audit coverage (tests/audit/test_coverage_casework.py): each
action records exactly these events, with ids and codes only."""

from __future__ import annotations

import io

from sqlalchemy import select

from casework.assistance.models import Disbursement
from core.permissions import Role
from tests.casework.assistance.helpers import grant
from tests.casework.helpers import FARIDA, PDF_BYTES
from tests.factories import csrf_token, post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE


def _case(ctx, role: Role = Role.CASEWORKER):
    account = ctx["make_account"](role)
    sign_in(ctx["client"], account)
    response = post_form(ctx["client"], "/cases/new", dict(FARIDA), token_from=QUIET_PAGE)
    assert response.status_code == 302
    return account, response.headers["Location"]


def _record(ctx, url: str, account, **overrides: str):
    data = grant(account.user.id, **overrides)
    return post_form(ctx["client"], f"{url}/assistance/new", data, token_from=QUIET_PAGE)


def assistance_recorded(ctx):
    account, url = _case(ctx)
    return (lambda: _record(ctx, url, account, amount="100")), [
        ("assistance.recorded", "ok", "assistance_disbursement")
    ]


def assistance_requested(ctx):
    account, url = _case(ctx)
    return (lambda: _record(ctx, url, account)), [
        ("assistance.requested", "ok", "assistance_disbursement")
    ]


def assistance_refused_over_the_limit(ctx):
    account, url = _case(ctx)
    return (lambda: _record(ctx, url, account, amount="2500")), [
        ("assistance.refused", "failed", "case")
    ]


def _pending(ctx):
    account, url = _case(ctx)
    assert _record(ctx, url, account).status_code == 302
    found = ctx["session"].scalar(
        select(Disbursement.id).order_by(Disbursement.requested_at.desc())
    )
    boss = ctx["app"].test_client()
    sign_in(boss, ctx["make_account"](Role.SUPERVISOR))
    return url, boss, f"{url}/assistance/{found}/decision", found


def assistance_approved(ctx):
    _url, boss, decide, _id = _pending(ctx)
    return (lambda: post_form(boss, decide, {"decision": "approve"}, token_from=QUIET_PAGE)), [
        ("assistance.approved", "ok", "assistance_disbursement")
    ]


def assistance_returned(ctx):
    _url, boss, decide, _id = _pending(ctx)
    data = {"decision": "return", "comment": "Ask for a quote first."}
    return (lambda: post_form(boss, decide, data, token_from=QUIET_PAGE)), [
        ("assistance.returned", "ok", "assistance_disbursement")
    ]


def assistance_decision_viewed(ctx):
    _url, boss, decide, _id = _pending(ctx)
    return (lambda: boss.get(decide)), [("case.viewed", "ok", "case")]


def assistance_receipt_attached(ctx):
    url, _boss, _decide, found = _pending(ctx)
    client = ctx["client"]
    token = csrf_token(client, QUIET_PAGE)

    def act():
        return client.post(
            f"{url}/assistance/{found}/receipt",
            data={
                "csrf_token": token,
                "version": "1",
                "receipt": (io.BytesIO(PDF_BYTES), "receipt.pdf", "application/pdf"),
            },
            content_type="multipart/form-data",
        )

    return act, [
        ("attachment.uploaded", "ok", "attachment"),
        ("assistance.receipt_attached", "ok", "assistance_disbursement"),
    ]


def assistance_summary_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    return (lambda: ctx["client"].get("/cases/assistance-summary/")), [
        ("assistance.summary_viewed", "ok", "organisation")
    ]


ASSISTANCE_SCENARIOS = [
    assistance_recorded,
    assistance_requested,
    assistance_refused_over_the_limit,
    assistance_approved,
    assistance_returned,
    assistance_decision_viewed,
    assistance_receipt_attached,
    assistance_summary_viewed,
]
