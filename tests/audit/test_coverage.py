"""Every auditable action that exists today produces exactly the expected events."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from audit.services import record
from auth import mfa
from core.permissions import Role
from tests.factories import csrf_token, post_form, sign_in, totp_now
from tests.fixtures.audit import PASSWORD, events_after, head_seq

Expected = list[tuple[str, str, str | None]]


@dataclass
class Ctx:
    app: object
    client: object
    session: object
    make_account: Callable


def _post_login(ctx: Ctx, email: str, password: str):
    return post_form(ctx.client, "/login", {"email": email, "password": password})


def _post_code(ctx: Ctx, code: str, path: str = "/login/second-factor"):
    return post_form(ctx.client, path, {"code": code})


def login_succeeded(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    return (lambda: sign_in(ctx.client, account)), [("login.succeeded", "ok", "user")]


def login_failed_bad_password(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    return (lambda: _post_login(ctx, account.email, "wrong " + PASSWORD)), [
        ("login.failed", "failed", "user")
    ]


def login_failed_unknown_account(ctx: Ctx):
    return (lambda: _post_login(ctx, "nobody@example.test", PASSWORD)), [
        ("login.failed", "failed", None)
    ]


def account_locked(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    for _ in range(ctx.app.config["HOMEWARD_SETTINGS"].LOCKOUT_THRESHOLD - 1):
        _post_login(ctx, account.email, "wrong " + PASSWORD)
    return (lambda: _post_login(ctx, account.email, "wrong " + PASSWORD)), [
        ("login.failed", "failed", "user"),
        ("account.locked", "denied", "user"),
    ]


def login_while_locked(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    for _ in range(ctx.app.config["HOMEWARD_SETTINGS"].LOCKOUT_THRESHOLD):
        _post_login(ctx, account.email, "wrong " + PASSWORD)
    return (lambda: _post_login(ctx, account.email, PASSWORD)), [("login.failed", "denied", "user")]


def logout(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    sign_in(ctx.client, account)

    def act():
        token = csrf_token(ctx.client, "/account")
        ctx.client.post("/logout", data={"csrf_token": token})

    return act, [("logout", "ok", "session")]


def mfa_failed(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)

    def act():
        _post_login(ctx, account.email, account.password)
        _post_code(ctx, "000000" if totp_now(account.totp_secret) != "000000" else "111111")

    return act, [("mfa.failed", "failed", "user")]


def mfa_enrolled(ctx: Ctx):
    account = ctx.make_account(Role.AUDITOR, enrol=False)

    def act():
        _post_login(ctx, account.email, account.password)
        page = ctx.client.get("/login/enrol").get_data(as_text=True)
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
        _post_code(ctx, totp_now(secret), "/login/enrol")

    return act, [("mfa.enrolled", "ok", "user"), ("login.succeeded", "ok", "user")]


def mfa_recovery_code_used(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    codes = mfa.issue_recovery_codes(account.user)
    ctx.session.commit()

    def act():
        _post_login(ctx, account.email, account.password)
        _post_code(ctx, codes[0])

    return act, [("mfa.recovery_code_used", "ok", "user"), ("login.succeeded", "ok", "user")]


def access_denied(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    sign_in(ctx.client, account)
    return (lambda: ctx.client.get("/audit/")), [("access.denied", "denied", None)]


def sign_out_everywhere(ctx: Ctx):
    account = ctx.make_account(Role.CASEWORKER)
    sign_in(ctx.client, account)

    def act():
        token = csrf_token(ctx.client, "/account")
        ctx.client.post(
            "/account/sign-out-everywhere",
            data={"csrf_token": token},
        )

    return act, [("user.sessions_ended", "ok", "user")]


def audit_exported(ctx: Ctx):
    sign_in(ctx.client, ctx.make_account(Role.AUDITOR))

    def act():
        token = csrf_token(ctx.client, "/audit/?action=login.succeeded")
        response = ctx.client.post(
            "/audit/export?action=login.succeeded",
            data={"csrf_token": token},
        )
        response.get_data()

    return act, [("audit.exported", "ok", "audit_log")]


def audit_case_history_viewed(ctx: Ctx):
    sign_in(ctx.client, ctx.make_account(Role.AUDITOR))
    return (lambda: ctx.client.get(f"/audit/cases/{uuid.uuid4()}")), [
        ("audit.case_history_viewed", "ok", "case")
    ]


def audit_user_activity_viewed(ctx: Ctx):
    sign_in(ctx.client, ctx.make_account(Role.AUDITOR))
    return (lambda: ctx.client.get(f"/audit/users/{uuid.uuid4()}")), [
        ("audit.user_activity_viewed", "ok", "user")
    ]


SCENARIOS = [
    login_succeeded,
    login_failed_bad_password,
    login_failed_unknown_account,
    account_locked,
    login_while_locked,
    logout,
    mfa_failed,
    mfa_enrolled,
    mfa_recovery_code_used,
    access_denied,
    sign_out_everywhere,
    audit_exported,
    audit_case_history_viewed,
    audit_user_activity_viewed,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_action_produces_exactly_the_expected_events(
    app, client, db_session, make_account, scenario
):
    ctx = Ctx(app, client, db_session, make_account)
    act, expected = scenario(ctx)
    before = head_seq(db_session)
    act()
    events = events_after(db_session, before)
    assert [(e.action, e.outcome, e.object_type) for e in events] == expected
    for event in events:
        assert event.ip_address == "127.0.0.1"
        assert event.details_dict is not None


def test_denial_names_the_refused_permission_and_the_actor(app, client, db_session, make_account):
    account = make_account(Role.ADMINISTRATOR)
    sign_in(client, account)
    before = head_seq(db_session)
    assert client.get("/audit/chain").status_code == 403
    (event,) = events_after(db_session, before)
    assert event.actor_user_id == account.user.id
    assert event.actor_role == "administrator"
    assert event.details_dict == {
        "endpoint": "audit.chain_status",
        "method": "GET",
        "permission": "audit:view",
        "reason": "role",
    }


def test_record_refuses_free_text_and_unknown_outcomes(request_ctx, db_session):
    for details in (
        {"name": "Amina Rahimi"},
        {"email": "amina@example.test"},
        {"nested": {"note": "lives near the station"}},
        {"Bad Key": 1},
        {"when": object()},
    ):
        with pytest.raises(ValueError):
            record(db_session, "case.viewed", details=details)
    with pytest.raises(ValueError, match="outcome"):
        record(db_session, "case.viewed", outcome="maybe")
    ok = record(db_session, "case.updated", details={"fields": ["stage", "plan"], "count": 2})
    assert ok.details == '{"count":2,"fields":["stage","plan"]}'
