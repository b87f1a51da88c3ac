"""Household actions and the audit events each produces (exactly), for
tests/audit/test_coverage_casework.py."""

from __future__ import annotations

from sqlalchemy import select

from casework.households.models import HouseholdMember
from core.permissions import Role
from tests.casework.households.helpers import CHILD_1, prefilled, register_head
from tests.factories import post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE


def _family(ctx) -> str:
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    head = register_head(ctx["client"])
    data = {**prefilled(ctx["client"], head), **CHILD_1}
    response = post_form(ctx["client"], f"{head}/household/register", data, token_from=QUIET_PAGE)
    assert response.status_code == 302
    return head


def family_head_registered(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    from tests.casework.households.helpers import HEAD

    return (lambda: post_form(ctx["client"], "/cases/family/new", HEAD, token_from=QUIET_PAGE)), [
        ("person.duplicate_check", "ok", "person"),
        ("person.created", "ok", "person"),
        ("case.created", "ok", "case"),
        ("household.created", "ok", "household"),
    ]


def family_member_registered(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    head = register_head(ctx["client"])
    data = {**prefilled(ctx["client"], head), **CHILD_1}
    return (
        lambda: post_form(ctx["client"], f"{head}/household/register", data, token_from=QUIET_PAGE)
    ), [
        ("person.duplicate_check", "ok", "person"),
        ("person.created", "ok", "person"),
        ("case.created", "ok", "case"),
        ("household.member_added", "ok", "household_member"),
    ]


def household_viewed(ctx):
    head = _family(ctx)
    return (lambda: ctx["client"].get(head)), [
        ("case.viewed", "ok", "case"),
        ("household.viewed", "ok", "household"),
    ]


def household_register_page_viewed(ctx):
    head = _family(ctx)
    return (lambda: ctx["client"].get(f"{head}/household/register")), [
        ("case.viewed", "ok", "case")
    ]


def household_member_changed(ctx):
    head = _family(ctx)
    member = ctx["session"].scalar(select(HouseholdMember).where(HouseholdMember.role == "child"))
    prefix = f"m-{member.id.hex[:12]}"
    data = {f"{prefix}-role": "dependant", f"{prefix}-version": member.household.version}
    path = f"{head}/household/members/{member.id}/role"
    return (lambda: post_form(ctx["client"], path, data, token_from=QUIET_PAGE)), [
        ("household.member_changed", "ok", "household_member")
    ]


def household_member_removed(ctx):
    head = _family(ctx)
    member = ctx["session"].scalar(select(HouseholdMember).where(HouseholdMember.role == "child"))
    data = {"version": member.household.version}
    path = f"{head}/household/members/{member.id}/remove"
    return (lambda: post_form(ctx["client"], path, data, token_from=QUIET_PAGE)), [
        ("household.member_removed", "ok", "household_member")
    ]


HOUSEHOLD_SCENARIOS = [
    family_head_registered,
    family_member_registered,
    household_viewed,
    household_register_page_viewed,
    household_member_changed,
    household_member_removed,
]
