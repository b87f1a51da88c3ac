"""Safety's rows of the audit coverage (tests/audit/test_coverage_casework.py): each action
produces exactly these events, with ids and codes only."""

from __future__ import annotations

from sqlalchemy import select

from core.permissions import Role
from tests.casework.helpers import FARIDA
from tests.casework.safety.helpers import FLAG, plan_data
from tests.factories import csrf_token, post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE


def _case(ctx, role: Role = Role.CASEWORKER) -> str:
    account = ctx["make_account"](role)
    sign_in(ctx["client"], account)
    response = post_form(ctx["client"], "/cases/new", dict(FARIDA), token_from=QUIET_PAGE)
    assert response.status_code == 302
    return str(response.headers["Location"])


def _raise(ctx, url: str, **extra: str) -> None:
    data = {**FLAG, **extra}
    response = post_form(ctx["client"], f"{url}/safety/flags/new", data, token_from=QUIET_PAGE)
    assert response.status_code == 302


def _flag_id(ctx):
    from casework.safety.models import CaseFlag

    return ctx["session"].scalar(select(CaseFlag.id))


def flag_raised(ctx):
    ctx["make_account"](Role.SUPERVISOR)
    url = _case(ctx)
    data = {**FLAG, "tell_supervisor": "y"}
    return (
        lambda: post_form(ctx["client"], f"{url}/safety/flags/new", data, token_from=QUIET_PAGE)
    ), [("flag.raised", "ok", "case_flag")]


def flag_ended(ctx):
    url = _case(ctx)
    _raise(ctx, url)
    flag_id = _flag_id(ctx)
    prefix = f"end-{flag_id.hex[:12]}"
    token = csrf_token(ctx["client"], QUIET_PAGE)
    data = {f"{prefix}-csrf_token": token, f"{prefix}-end_reason": "Moved to a shelter."}
    return (lambda: ctx["client"].post(f"{url}/safety/flags/{flag_id}/end", data=data)), [
        ("flag.ended", "ok", "case_flag")
    ]


def flag_seen(ctx):
    url = _case(ctx)
    _raise(ctx, url, tell_supervisor="y")
    flag_id = _flag_id(ctx)
    supervisor = ctx["app"].test_client()
    sign_in(supervisor, ctx["make_account"](Role.SUPERVISOR))
    path = f"{url}/safety/flags/{flag_id}/seen"
    return (lambda: post_form(supervisor, path, {}, token_from=QUIET_PAGE)), [
        ("flag.seen", "ok", "case_flag")
    ]


def flags_viewed(ctx):
    url = _case(ctx)
    _raise(ctx, url)
    return (lambda: ctx["client"].get(f"{url}/safety/flags")), [("case.viewed", "ok", "case")]


def flags_refused(ctx):
    writer = ctx["app"].test_client()
    sign_in(writer, ctx["make_account"](Role.CASEWORKER))
    response = post_form(writer, "/cases/new", dict(FARIDA), token_from=QUIET_PAGE)
    url = response.headers["Location"]
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get(f"{url}/safety/flags")), [("access.denied", "denied", "case")]


def safety_plan_saved(ctx):
    url = _case(ctx)
    return (
        lambda: post_form(
            ctx["client"], f"{url}/safety/plan/edit", plan_data(0), token_from=QUIET_PAGE
        )
    ), [("safety_plan.saved", "ok", "safety_plan")]


def safety_plan_viewed(ctx):
    url = _case(ctx)
    post_form(ctx["client"], f"{url}/safety/plan/edit", plan_data(0), token_from=QUIET_PAGE)
    return (lambda: ctx["client"].get(f"{url}/safety/plan")), [("case.viewed", "ok", "case")]


SAFETY_SCENARIOS = [
    flag_raised,
    flag_ended,
    flag_seen,
    flags_viewed,
    flags_refused,
    safety_plan_saved,
    safety_plan_viewed,
]
