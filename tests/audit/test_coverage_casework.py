"""Casework actions produce exactly the expected audit events (views and searches included)."""

from __future__ import annotations

import io

import pytest

from core.permissions import Role
from tests.casework.assistance.audit_scenarios import ASSISTANCE_SCENARIOS
from tests.casework.helpers import FARIDA, PDF_BYTES
from tests.casework.households.audit_scenarios import HOUSEHOLD_SCENARIOS
from tests.casework.safety.audit_scenarios import SAFETY_SCENARIOS
from tests.factories import post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE, events_after, head_seq
from tests.referrals.audit_scenarios import REFERRAL_SCENARIOS
from tests.referrals.feedback.audit_scenarios import FEEDBACK_SCENARIOS

Expected = list[tuple[str, str, str | None]]


def _register(client, data: dict | None = None) -> str:
    response = post_form(client, "/cases/new", dict(data or FARIDA), token_from=QUIET_PAGE)
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
    return (
        lambda: post_form(
            ctx["client"],
            "/cases/search",
            {"kind": "name", "term": "Farida"},
            token_from=QUIET_PAGE,
        )
    ), [("person.searched", "ok", "person")]


def note_added(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (
        lambda: post_form(
            ctx["client"], f"{url}/notes", {"body": "Met today."}, token_from=QUIET_PAGE
        )
    ), [("case.note_added", "ok", "case")]


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
        lambda: post_form(
            ctx["client"],
            f"{url}/emergency",
            {"reason": "Medical emergency at the centre tonight."},
            token_from=QUIET_PAGE,
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
    return (lambda: post_form(ctx["client"], f"{url}/consent/new", data, token_from=QUIET_PAGE)), [
        ("consent.recorded", "ok", "legal_basis")
    ]


def attachment_downloaded(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    response = post_form(
        ctx["client"],
        f"{url}/attachments/new",
        {"description": "scan", "attachment_file": (io.BytesIO(PDF_BYTES), "scan.pdf")},
        content_type="multipart/form-data",
        token_from=QUIET_PAGE,
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


CLOSURE = {"reason": "lost_contact", "summary": "No answer for three months."}


def _closure_requested_by_caseworker(ctx):
    """A case with a pending closure; returns (case url, a signed-in supervisor's client)."""
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    assert (
        post_form(
            ctx["client"], f"{url}/closure/request", CLOSURE, token_from=QUIET_PAGE
        ).status_code
        == 302
    )
    boss = ctx["app"].test_client()
    sign_in(boss, ctx["make_account"](Role.SUPERVISOR))
    from sqlalchemy import select

    from casework.closure.models import CaseClosure

    closure_id = ctx["session"].scalar(select(CaseClosure.id))
    return url, boss, f"{url}/closure/{closure_id}"


def closure_requested(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (
        lambda: post_form(ctx["client"], f"{url}/closure/request", CLOSURE, token_from=QUIET_PAGE)
    ), [("closure.requested", "ok", "case_closure")]


def closure_approved(ctx):
    _url, boss, decide = _closure_requested_by_caseworker(ctx)
    return (lambda: post_form(boss, decide, {"decision": "approve"}, token_from=QUIET_PAGE)), [
        ("case.stage_changed", "ok", "case"),
        ("closure.approved", "ok", "case_closure"),
    ]


def closure_returned(ctx):
    _url, boss, decide = _closure_requested_by_caseworker(ctx)
    return (
        lambda: post_form(
            boss,
            decide,
            {"decision": "return", "comment": "Add the plan first."},
            token_from=QUIET_PAGE,
        )
    ), [("closure.returned", "ok", "case_closure")]


def closure_self_approval_refused(ctx):
    boss = ctx["client"]
    sign_in(boss, ctx["make_account"](Role.SUPERVISOR))
    url = _register(boss)
    assert (
        post_form(boss, f"{url}/closure/request", CLOSURE, token_from=QUIET_PAGE).status_code == 302
    )
    from sqlalchemy import select

    from casework.closure.models import CaseClosure

    closure_id = ctx["session"].scalar(select(CaseClosure.id))
    return (
        lambda: post_form(
            boss, f"{url}/closure/{closure_id}", {"decision": "approve"}, token_from=QUIET_PAGE
        )
    ), [("access.denied", "denied", "case_closure")]


def case_reopened(ctx):
    url, boss, decide = _closure_requested_by_caseworker(ctx)
    assert (
        post_form(boss, decide, {"decision": "approve"}, token_from=QUIET_PAGE).status_code == 302
    )
    reason = {"reason": "She came back and asks for help."}
    return (
        lambda: post_form(ctx["client"], f"{url}/closure/reopen", reason, token_from=QUIET_PAGE)
    ), [
        ("case.stage_changed", "ok", "case"),
        ("case.reopened", "ok", "case"),
    ]


def person_exported(ctx):
    writer = ctx["app"].test_client()
    sign_in(writer, ctx["make_account"](Role.CASEWORKER))
    url = _register(writer)
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    return (lambda: ctx["client"].get(f"{url}/person-data/export.json")), [
        ("person.exported", "ok", "person")
    ]


def _erasure_requested(ctx):
    writer = ctx["app"].test_client()
    sign_in(writer, ctx["make_account"](Role.CASEWORKER))
    url = _register(writer)
    first = ctx["app"].test_client()
    sign_in(first, ctx["make_account"](Role.SUPERVISOR))
    response = post_form(
        first, f"{url}/person-data/erasure", {"reason": "person_request"}, token_from=QUIET_PAGE
    )
    assert response.status_code == 302
    from sqlalchemy import select

    from casework.subject_rights.models import ErasureRequest

    return url, first, ctx["session"].scalar(select(ErasureRequest.id))


def erasure_requested(ctx):
    writer = ctx["app"].test_client()
    sign_in(writer, ctx["make_account"](Role.CASEWORKER))
    url = _register(writer)
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    data = {"reason": "person_request"}
    return (
        lambda: post_form(ctx["client"], f"{url}/person-data/erasure", data, token_from=QUIET_PAGE)
    ), [("erasure.requested", "ok", "erasure_request")]


def erasure_confirmed(ctx):
    url, _first, request_id = _erasure_requested(ctx)
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    return (
        lambda: post_form(
            ctx["client"], f"{url}/person-data/erasure/{request_id}", {}, token_from=QUIET_PAGE
        )
    ), [
        ("erasure.confirmed", "ok", "erasure_request"),
        ("person.erased", "ok", "person"),
        ("case.person_erased", "ok", "case"),
    ]


def erasure_cancelled(ctx):
    url, first, request_id = _erasure_requested(ctx)
    return (
        lambda: post_form(
            first, f"{url}/person-data/erasure/{request_id}/cancel", {}, token_from=QUIET_PAGE
        )
    ), [("erasure.cancelled", "ok", "erasure_request")]


def retention_ran(ctx):
    runner = ctx["app"].test_cli_runner()
    return (lambda: runner.invoke(args=["retention", "run"])), [
        ("retention.ran", "ok", "retention")
    ]


def tasks_listed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get("/tasks/")), [("tasks.viewed", "ok", None)]


def today_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get("/today/")), [("today.viewed", "ok", "case")]


VISIT = {"visited_on": "2026-10-05", "visit_type": "phone", "answer_income": "irregular"}


def visit_recorded(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (
        lambda: post_form(ctx["client"], f"{url}/monitoring/new", VISIT, token_from=QUIET_PAGE)
    ), [("monitoring_visit.recorded", "ok", "monitoring_visit")]


def first_visit_in_implementation(ctx):
    from sqlalchemy import select

    from casework.models import Case

    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    ctx["session"].scalar(select(Case)).stage = "implementation"
    ctx["session"].commit()
    return (
        lambda: post_form(ctx["client"], f"{url}/monitoring/new", VISIT, token_from=QUIET_PAGE)
    ), [
        ("monitoring_visit.recorded", "ok", "monitoring_visit"),
        ("case.stage_changed", "ok", "case"),
    ]


def visits_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (lambda: ctx["client"].get(f"{url}/monitoring/")), [
        ("monitoring_visit.viewed", "ok", "case")
    ]


def survey_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    return (lambda: ctx["client"].get("/cases/monitoring-survey/")), [
        ("survey_version.viewed", "ok", "survey_version")
    ]


def survey_weights_changed(ctx):
    from casework.monitoring.scoring import default_definition

    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    ctx["client"].get("/cases/monitoring-survey/")
    definition = default_definition()
    data = {"based_on": "1", **{f"dimension_{d}": "1" for d in definition["dimensions"]}}
    data |= {f"weight_{i['code']}": "2" for i in definition["indicators"]}
    return (
        lambda: post_form(ctx["client"], "/cases/monitoring-survey/", data, token_from=QUIET_PAGE)
    ), [("survey_version.created", "ok", "survey_version")]


def survey_indicator_added(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    ctx["client"].get("/cases/monitoring-survey/")
    data = {
        "based_on": "1",
        "dimension": "social",
        "question": "Children go to school",
        "answers": "No\nYes",
    }
    return (
        lambda: post_form(
            ctx["client"], "/cases/monitoring-survey/indicators", data, token_from=QUIET_PAGE
        )
    ), [("survey_version.created", "ok", "survey_version")]


# Needs assessment and reintegration plan ----------------------------------------------------


def _planned(ctx, submit: bool = False):
    """A caseworker's case with an assessment and a started plan with one action."""
    from tests.casework.planning_helpers import ASSESSMENT, action

    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    assert (
        post_form(
            ctx["client"], f"{url}/assessments/new", ASSESSMENT, token_from=QUIET_PAGE
        ).status_code
        == 302
    )
    assert (
        post_form(ctx["client"], f"{url}/plan/start", {}, token_from=QUIET_PAGE).status_code == 302
    )
    assert (
        post_form(
            ctx["client"], f"{url}/plan/actions/new", action(), token_from=QUIET_PAGE
        ).status_code
        == 302
    )
    if submit:
        response = post_form(
            ctx["client"],
            f"{url}/plan/submit",
            {"version": _version(ctx, url)},
            token_from=QUIET_PAGE,
        )
        assert response.status_code == 302
    return url


def _version(ctx, url: str) -> str:
    from tests.casework.planning_helpers import plan_of

    return str(plan_of(ctx["session"], url).version)


def _action_id(ctx, url: str) -> str:
    from tests.casework.planning_helpers import plan_of

    return str(plan_of(ctx["session"], url).actions[0].id)


def _reviewer(ctx):
    reviewer = ctx["app"].test_client()
    sign_in(reviewer, ctx["make_account"](Role.SUPERVISOR))
    return reviewer


def assessment_recorded(ctx):
    from tests.casework.planning_helpers import ASSESSMENT

    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (
        lambda: post_form(
            ctx["client"], f"{url}/assessments/new", ASSESSMENT, token_from=QUIET_PAGE
        )
    ), [
        ("assessment.recorded", "ok", "assessment"),
        ("case.stage_changed", "ok", "case"),
    ]


def assessment_viewed(ctx):
    url = _planned(ctx)
    return (lambda: ctx["client"].get(f"{url}/assessments/")), [("assessment.viewed", "ok", "case")]


def plan_started(ctx):
    from tests.casework.planning_helpers import ASSESSMENT

    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    post_form(ctx["client"], f"{url}/assessments/new", ASSESSMENT, token_from=QUIET_PAGE)
    return (lambda: post_form(ctx["client"], f"{url}/plan/start", {}, token_from=QUIET_PAGE)), [
        ("plan.started", "ok", "plan"),
        ("case.stage_changed", "ok", "case"),
    ]


def plan_viewed(ctx):
    url = _planned(ctx)
    return (lambda: ctx["client"].get(f"{url}/plan/")), [("plan.viewed", "ok", "plan")]


def plan_action_added(ctx):
    from tests.casework.planning_helpers import action

    url = _planned(ctx)
    data = action(dimension="social", description="School enrolment")
    return (
        lambda: post_form(ctx["client"], f"{url}/plan/actions/new", data, token_from=QUIET_PAGE)
    ), [("plan.action_added", "ok", "plan")]


def plan_action_updated(ctx):
    from tests.casework.planning_helpers import action

    url = _planned(ctx)
    path = f"{url}/plan/actions/{_action_id(ctx, url)}"
    data = action(description="Sewing machine grant", version=_version(ctx, url))
    return (lambda: post_form(ctx["client"], path, data, token_from=QUIET_PAGE)), [
        ("plan.action_updated", "ok", "plan")
    ]


def plan_action_status_changed(ctx):
    url = _planned(ctx)
    path = f"{url}/plan/actions/{_action_id(ctx, url)}/status"
    return (lambda: post_form(ctx["client"], path, {"status": "done"}, token_from=QUIET_PAGE)), [
        ("plan.action_status_changed", "ok", "plan")
    ]


def plan_action_removed(ctx):
    url = _planned(ctx)
    path = f"{url}/plan/actions/{_action_id(ctx, url)}/remove"
    data = {"version": _version(ctx, url)}
    return (lambda: post_form(ctx["client"], path, data, token_from=QUIET_PAGE)), [
        ("plan.action_removed", "ok", "plan")
    ]


def plan_submitted(ctx):
    url = _planned(ctx)
    data = {"version": _version(ctx, url)}
    return (lambda: post_form(ctx["client"], f"{url}/plan/submit", data, token_from=QUIET_PAGE)), [
        ("plan.submitted", "ok", "plan")
    ]


def plan_approved(ctx):
    url = _planned(ctx, submit=True)
    reviewer = _reviewer(ctx)
    data = {"decision": "approve", "version": _version(ctx, url)}
    return (lambda: post_form(reviewer, f"{url}/plan/review", data, token_from=QUIET_PAGE)), [
        ("plan.approved", "ok", "plan"),
        ("case.stage_changed", "ok", "case"),
    ]


def plan_returned(ctx):
    url = _planned(ctx, submit=True)
    reviewer = _reviewer(ctx)
    data = {"decision": "return", "comment": "Add school", "version": _version(ctx, url)}
    return (lambda: post_form(reviewer, f"{url}/plan/review", data, token_from=QUIET_PAGE)), [
        ("plan.returned", "ok", "plan")
    ]


def plan_self_approval_refused(ctx):
    from tests.casework.planning_helpers import ASSESSMENT, action

    supervisor = ctx["client"]
    sign_in(supervisor, ctx["make_account"](Role.SUPERVISOR))
    url = _register(supervisor)
    post_form(supervisor, f"{url}/assessments/new", ASSESSMENT, token_from=QUIET_PAGE)
    post_form(supervisor, f"{url}/plan/start", {}, token_from=QUIET_PAGE)
    post_form(supervisor, f"{url}/plan/actions/new", action(), token_from=QUIET_PAGE)
    post_form(
        supervisor, f"{url}/plan/submit", {"version": _version(ctx, url)}, token_from=QUIET_PAGE
    )
    data = {"decision": "approve", "version": _version(ctx, url)}
    return (lambda: post_form(supervisor, f"{url}/plan/review", data, token_from=QUIET_PAGE)), [
        ("access.denied", "denied", "plan")
    ]


PLANNING_SCENARIOS = [
    assessment_recorded,
    assessment_viewed,
    plan_started,
    plan_viewed,
    plan_action_added,
    plan_action_updated,
    plan_action_status_changed,
    plan_action_removed,
    plan_submitted,
    plan_approved,
    plan_returned,
    plan_self_approval_refused,
]


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
    return (
        lambda: post_form(
            ctx["client"], f"/referrals/{referral.id}/acknowledge", {}, token_from=QUIET_PAGE
        )
    ), [("referral.acknowledged", "ok", "referral")]


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


# issue 17: story
def story_recorded(ctx):
    from tests.casework.screening.story_helpers import STORY

    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    path = f"{url}/screening/story/edit"
    return (lambda: post_form(ctx["client"], path, STORY, token_from=QUIET_PAGE)), [
        ("trafficking_story.recorded", "ok", "trafficking_story")
    ]


def story_viewed(ctx):
    from tests.casework.screening.story_helpers import STORY

    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    path = f"{url}/screening/story/edit"
    assert post_form(ctx["client"], path, STORY, token_from=QUIET_PAGE).status_code == 302
    return (lambda: ctx["client"].get(f"{url}/screening/story")), [
        ("trafficking_story.viewed", "ok", "trafficking_story")
    ]


def story_form_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    url = _register(ctx["client"])
    return (lambda: ctx["client"].get(f"{url}/screening/story/edit")), [
        ("case.viewed", "ok", "case")
    ]


SCENARIOS = [
    referrals_listed,
    overdue_referrals_listed,
    referral_figures_viewed,
    referral_acknowledged,
    referral_notified,
    tasks_listed,
    today_viewed,
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
    closure_requested,
    closure_approved,
    closure_returned,
    closure_self_approval_refused,
    case_reopened,
    person_exported,
    erasure_requested,
    erasure_confirmed,
    erasure_cancelled,
    retention_ran,
    visit_recorded,
    first_visit_in_implementation,
    visits_viewed,
    survey_viewed,
    survey_weights_changed,
    survey_indicator_added,
    *PLANNING_SCENARIOS,
    # issue 17: feedback
    *FEEDBACK_SCENARIOS,
    # issue 17: assistance
    *ASSISTANCE_SCENARIOS,
    # issue 17: safety
    *SAFETY_SCENARIOS,
    # issue 17: households
    *HOUSEHOLD_SCENARIOS,
    # issue 17: story
    story_recorded,
    story_viewed,
    story_form_viewed,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_casework_action_produces_exactly_the_expected_events(
    app, client, db_session, make_account, scenario
):
    ctx = {"app": app, "client": client, "session": db_session, "make_account": make_account}
    act, expected = scenario(ctx)
    # The e-mail an action causes is audited when the outbox sender sends it: send what the
    # preparation queued first, then what the action queued.
    send = ["outbox", "send", "--once"]
    assert app.test_cli_runner().invoke(args=send).exit_code == 0
    before = head_seq(db_session)
    act()
    assert app.test_cli_runner().invoke(args=send).exit_code == 0
    events = events_after(db_session, before)
    assert [(e.action, e.outcome, e.object_type) for e in events] == expected
