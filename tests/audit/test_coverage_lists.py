"""Administration of the lists a deployment can set produces exactly the expected events
(in the table-driven shape of test_coverage_directory.py)."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l

from core.lists.registry import define
from core.permissions import Role
from tests.factories import csrf_token, post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE, events_after, head_seq

NAME = "test_audit_kinds"
define(NAME, _l("Audited kinds"), (("cash", _l("Cash")), ("other", _l("Other"))), kept=("other",))
BASE = f"/admin/lists/{NAME}"


def _admin(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))


def lists_listed(ctx):
    _admin(ctx)
    return (lambda: ctx["client"].get("/admin/lists")), [("list.listed", "ok", "list_entry")]


def list_viewed(ctx):
    _admin(ctx)
    return (lambda: ctx["client"].get(BASE)), [("list.viewed", "ok", "list_entry")]


def entry_viewed(ctx):
    _admin(ctx)
    return (lambda: ctx["client"].get(f"{BASE}/entries/cash")), [
        ("list.entry_viewed", "ok", "list_entry")
    ]


def entry_added(ctx):
    _admin(ctx)
    data = {"code": "fuel", "label_en": "Fuel"}
    return (lambda: post_form(ctx["client"], f"{BASE}/new", data, token_from=QUIET_PAGE)), [
        ("list.entry_added", "ok", "list_entry")
    ]


def entry_updated(ctx):
    _admin(ctx)
    data = {"version": "", "label_fa_AF": "نقد"}
    return (
        lambda: post_form(ctx["client"], f"{BASE}/entries/cash", data, token_from=QUIET_PAGE)
    ), [("list.entry_updated", "ok", "list_entry")]


def entry_retired_then_offered(ctx):
    _admin(ctx)
    token = csrf_token(ctx["client"], QUIET_PAGE)

    def act():
        ctx["client"].post(f"{BASE}/entries/cash/retire", data={"csrf_token": token, "version": ""})
        ctx["client"].post(f"{BASE}/entries/cash/offer", data={"csrf_token": token, "version": "1"})

    return act, [
        ("list.entry_retired", "ok", "list_entry"),
        ("list.entry_offered", "ok", "list_entry"),
    ]


def lists_refused(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    return (lambda: ctx["client"].get("/admin/lists")), [("access.denied", "denied", None)]


SCENARIOS = [
    lists_listed,
    list_viewed,
    entry_viewed,
    entry_added,
    entry_updated,
    entry_retired_then_offered,
    lists_refused,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_list_action_produces_exactly_the_expected_events(
    app, client, db_session, make_account, scenario
):
    ctx = {"app": app, "client": client, "session": db_session, "make_account": make_account}
    act, expected = scenario(ctx)
    before = head_seq(db_session)
    act()
    events = events_after(db_session, before)
    assert [(e.action, e.outcome, e.object_type) for e in events] == expected
