"""Feedback rows for the table-driven audit coverage test (tests/audit/test_coverage_casework.py):
each scenario prepares through the real pages and returns the action under test with the exact
audit events it must produce (ids only: the test of the log's privacy reads them all)."""

from __future__ import annotations

from core.clock import utcnow
from core.permissions import Role
from tests.factories import make_account, post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE
from tests.referrals.audit_scenarios import _prepared
from tests.referrals.feedback.helpers import answers, close_case


def _done(ctx):
    """A referral the provider accepted and completed; the state of ``_prepared``."""
    s = _prepared(ctx)
    base = f"/referrals/{s['referral'].id}"
    post_form(s["provider"], f"{base}/accept", {}, token_from=QUIET_PAGE)
    done = {"outcome": "Done", "outcome_date": utcnow().date().isoformat()}
    post_form(s["provider"], f"{base}/complete", done, token_from=QUIET_PAGE)
    s["about"], s["provider_page"] = f"{base}/feedback", f"{base}/provider-feedback"
    return s


def _f(action: str, outcome: str = "ok") -> tuple[str, str, str]:
    return (action, outcome, "person_feedback")


def feedback_recorded_by_case_team(ctx):
    s = _done(ctx)
    return (lambda: post_form(ctx["client"], s["about"], answers(), token_from=QUIET_PAGE)), [
        _f("person_feedback.recorded")
    ]


def feedback_viewed_by_case_team(ctx):
    s = _done(ctx)
    post_form(ctx["client"], s["about"], answers(), token_from=QUIET_PAGE)
    return (lambda: ctx["client"].get(s["about"])), [
        ("case.viewed", "ok", "case"),
        _f("person_feedback.viewed"),
    ]


def feedback_recorded_by_provider(ctx):
    s = _done(ctx)
    data = answers(respondent=None)  # type: ignore[arg-type]
    return (lambda: post_form(s["provider"], s["provider_page"], data, token_from=QUIET_PAGE)), [
        _f("person_feedback.recorded")
    ]


def feedback_viewed_by_provider(ctx):
    s = _done(ctx)
    data = answers(respondent=None)  # type: ignore[arg-type]
    post_form(s["provider"], s["provider_page"], data, token_from=QUIET_PAGE)
    return (lambda: s["provider"].get(s["provider_page"])), [
        ("referral.viewed", "ok", "referral"),
        _f("person_feedback.viewed"),
    ]


def feedback_recorded_at_closure(ctx):
    s = _prepared(ctx, send=False)
    close_case(ctx["session"], s["case_url"])
    url = f"{s['case_url']}/feedback"
    return (lambda: post_form(ctx["client"], url, answers(), token_from=QUIET_PAGE)), [
        _f("person_feedback.recorded")
    ]


def feedback_refused_to_another_provider(ctx):
    s = _done(ctx)
    other = ctx["app"].test_client()
    sign_in(other, make_account(ctx["app"], ctx["session"], Role.PROVIDER_STAFF), ctx["session"])
    return (lambda: other.get(s["provider_page"])), [("access.denied", "denied", "referral")]


FEEDBACK_SCENARIOS = [
    feedback_recorded_by_case_team,
    feedback_viewed_by_case_team,
    feedback_recorded_by_provider,
    feedback_viewed_by_provider,
    feedback_recorded_at_closure,
    feedback_refused_to_another_provider,
]
