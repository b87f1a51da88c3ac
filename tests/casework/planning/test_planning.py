"""Needs assessment and the reintegration plan with supervisor approval, through the pages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from audit.models import AuditEvent
from casework import stages
from casework.planning import approval, services
from casework.planning.forms import ActionForm, ActionStatusForm, AssessmentForm, ReviewForm
from casework.planning.models import Assessment, PlanAction, PlanReview
from casework.tasks import tasks_for
from casework.vocabulary import Stage
from core.clock import utcnow
from core.config import ConfigError, Settings
from core.permissions import Role
from core.security import Actor
from tests.casework.helpers import registered_case
from tests.casework.planning_helpers import (
    ASSESSMENT,
    action,
    add_action,
    case_of,
    plan_of,
    plan_version,
    planned_case,
    record_assessment,
    review,
    start_plan,
    submit,
)
from tests.factories import (
    make_account,
    make_organisation,
    override_settings,
    post_form,
    settings_of,
    sign_in,
)


@pytest.fixture
def boss(app, db_session, supervisor):
    """A second client, signed in as the supervisor of the caseworker's organisation."""
    other = app.test_client()
    sign_in(other, supervisor, db_session)
    return other


def _actor(account) -> Actor:
    return Actor(account.user.id, Role(account.user.role), account.user.organisation_id)


def _stage_events(db_session) -> list[tuple[str, str, str]]:
    db_session.expire_all()
    rows = db_session.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.action == "case.stage_changed")
        .order_by(AuditEvent.seq)
    )
    return [(d["from"], d["to"], d["operation"]) for d in map(json.loads, rows)]


def _denials(db_session) -> list[dict]:
    db_session.expire_all()
    rows = db_session.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.action == "access.denied", AuditEvent.object_type == "plan")
        .order_by(AuditEvent.seq)
    )
    return [json.loads(d) for d in rows]


def _last_denial(db_session) -> dict:
    db_session.expire_all()
    details = db_session.scalar(
        select(AuditEvent.details)
        .where(AuditEvent.action == "access.denied")
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    return json.loads(details)


# Stages ------------------------------------------------------------------------------------


def test_each_stage_moves_only_through_its_operation(
    app, db_session, client, caseworker, farida, boss
):
    url = farida
    assert case_of(db_session, url).stage == Stage.IDENTIFICATION
    refused = start_plan(client, url)
    assert refused.status_code == 302
    assert plan_of(db_session, url) is None  # no plan without an assessment
    assert "Record a needs assessment" in client.get(url).get_data(as_text=True)

    assert record_assessment(client, url).status_code == 302
    assert case_of(db_session, url).stage == Stage.ASSESSMENT
    assert start_plan(client, url).status_code == 302
    assert case_of(db_session, url).stage == Stage.PLANNING
    assert add_action(client, url).status_code == 302
    assert submit(client, url).status_code == 302
    assert case_of(db_session, url).stage == Stage.PLANNING  # submitting moves nothing
    assert review(boss, url).status_code == 302
    assert case_of(db_session, url).stage == Stage.IMPLEMENTATION
    # A reassessment later in the case moves nothing.
    assert record_assessment(client, url).status_code == 302
    assert case_of(db_session, url).stage == Stage.IMPLEMENTATION
    assert _stage_events(db_session) == [
        ("identification", "assessment", "assessment_recorded"),
        ("assessment", "planning", "plan_started"),
        ("planning", "implementation", "plan_approved"),
    ]
    page = client.get(url).get_data(as_text=True)
    assert "Implementation" in page and "Approved" in page
    # The timeline tells what happened; opening the plan is only in "who has looked".
    assert "Plan approved" in page and "Stage changed" in page and "Plan opened" not in page


def test_no_form_has_a_stage_field_and_a_posted_stage_is_ignored(
    app, db_session, client, caseworker, farida
):
    with app.test_request_context("/"):
        for form in (AssessmentForm, ActionForm, ActionStatusForm, ReviewForm):
            assert "stage" not in form(meta={"csrf": False})._fields
    response = record_assessment(client, farida, {**ASSESSMENT, "stage": "closed"})
    assert response.status_code == 302
    assert case_of(db_session, farida).stage == Stage.ASSESSMENT
    with pytest.raises(stages.StageError):
        stages.advance(
            db_session,
            case_of(db_session, farida),
            Stage.IMPLEMENTATION,
            actor=None,
            operation="plan_started",
        )


# Assessments -------------------------------------------------------------------------------


def test_assessment_sets_the_case_risk_and_keeps_its_history(
    app, db_session, client, caseworker, farida
):
    url = farida
    assert (
        record_assessment(client, url, {**ASSESSMENT, "overall_risk_level": "low"}).status_code
        == 302
    )
    assert case_of(db_session, url).risk_level == "low"
    later = {**ASSESSMENT, "assessed_on": "2026-11-01", "economic_needs": "Grant received"}
    assert record_assessment(client, url, later).status_code == 302
    assert case_of(db_session, url).risk_level == "high"
    found = db_session.scalars(select(Assessment).order_by(Assessment.recorded_at)).all()
    assert len(found) == 2
    case_page = client.get(url).get_data(as_text=True)
    assert "Latest of 2 assessments" in case_page and "2026-11-01" in case_page
    history = client.get(f"{url}/assessments/").get_data(as_text=True)
    assert "2026-10-05" in history and "2026-11-01" in history
    older = client.get(f"{url}/assessments/{found[0].id}").get_data(as_text=True)
    assert "replaced by a later assessment" in older
    assert "No income since the return" in older
    newer = client.get(f"{url}/assessments/{found[1].id}").get_data(as_text=True)
    assert "in force" in newer and "Grant received" in newer


def test_assessment_errors_sit_next_to_their_fields(app, db_session, client, caseworker, farida):
    data = {**ASSESSMENT, "social_risk_level": "", "overall_risk_level": "extreme"}
    data["assessed_on"] = (utcnow().date() + timedelta(days=3)).isoformat()
    response = record_assessment(client, farida, data)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for name in ("assessed_on", "social_risk_level", "overall_risk_level"):
        assert f'id="{name}-error"' in body
    assert db_session.scalar(select(Assessment)) is None


def test_assessment_of_another_case_is_404(app, db_session, client, caseworker, farida):
    record_assessment(client, farida)
    other = registered_case(client, again=True)
    assessment_id = db_session.scalar(select(Assessment.id))
    assert client.get(f"{other}/assessments/{assessment_id}").status_code == 404


# Approval ----------------------------------------------------------------------------------


def test_self_approval_is_refused_and_audited(app, db_session, client, supervisor):
    sign_in(client, supervisor, db_session)
    url = registered_case(client)
    planned_case(client, url)
    assert client.get(f"{url}/plan/review").status_code == 403
    response = post_form(
        client,
        f"{url}/plan/review",
        {"decision": "approve", "version": plan_version(client, url)},
        token_from=f"{url}/plan/",
    )
    assert response.status_code == 403
    assert plan_of(db_session, url).status == "submitted"
    assert case_of(db_session, url).stage == Stage.PLANNING
    assert [d["reason"] for d in _denials(db_session)] == ["self_approval", "self_approval"]
    page = client.get(f"{url}/plan/").get_data(as_text=True)
    assert "another supervisor must approve it" in page
    # The service refuses too, whatever calls it.
    plan = plan_of(db_session, url)
    with app.test_request_context("/"), pytest.raises(services.CaseworkError):
        approval.decide(
            db_session,
            _actor(supervisor),
            case_of(db_session, url),
            plan,
            approve=True,
            comment=None,
            loaded_version=plan.version,
        )


def test_a_supervisor_who_changed_the_plan_cannot_approve_it(
    app, db_session, client, caseworker, farida, supervisor, boss
):
    url = farida
    planned_case(client, url)
    action_id = db_session.scalar(select(PlanAction.id))
    edit = f"{url}/plan/actions/{action_id}"
    version = plan_version(boss, url)
    response = post_form(boss, edit, action(description="Sewing machine grant", version=version))
    assert response.status_code == 302
    assert boss.get(f"{url}/plan/review").status_code == 403
    assert _denials(db_session)[-1]["reason"] == "edited_since_approval"
    colleague = make_account(
        app, db_session, Role.SUPERVISOR, organisation=supervisor.user.organisation
    )
    second = app.test_client()
    sign_in(second, colleague, db_session)
    assert review(second, url).status_code == 302
    assert plan_of(db_session, url).status == "approved"


def test_a_supervisor_of_another_organisation_cannot_approve(
    app, db_session, client, caseworker, farida
):
    planned_case(client, farida)
    outsider = make_account(
        app, db_session, Role.SUPERVISOR, organisation=make_organisation(app, db_session)
    )
    other = app.test_client()
    sign_in(other, outsider, db_session)
    assert other.get(f"{farida}/plan/review").status_code == 403
    # Emergency access stays inside the organisation by default.
    reason = {"reason": "Night duty, the person is at the hospital."}
    refused = post_form(other, f"{farida}/emergency", reason, token_from="/account")
    assert refused.status_code == 403
    assert _last_denial(db_session)["reason"] == "other_organisation"
    # Even where a deployment allows it across organisations, it only reads: no approving.
    with override_settings(app, EMERGENCY_ACCESS_ACROSS_ORGANISATIONS=True):
        assert post_form(other, f"{farida}/emergency", reason).status_code == 302
        assert other.get(f"{farida}/plan/").status_code == 200
        assert other.get(f"{farida}/plan/review").status_code == 403
        assert _last_denial(db_session)["reason"] == "emergency_read_only"
    assert plan_of(db_session, farida).status == "submitted"


def test_a_caseworker_cannot_reach_the_review(app, db_session, client, caseworker, farida):
    planned_case(client, farida)
    assert client.get(f"{farida}/plan/review").status_code == 403


def test_changes_after_approval_need_a_new_approval(
    app, db_session, client, caseworker, farida, supervisor, boss
):
    url = farida
    planned_case(client, url)
    assert review(boss, url).status_code == 302
    plan = plan_of(db_session, url)
    assert plan.status == "approved" and plan.approved_at is not None
    version = plan.version
    action_id = plan.actions[0].id

    # A status update reports progress: no new approval, no new version.
    response = post_form(
        client,
        f"{url}/plan/actions/{action_id}/status",
        {"status": "in_progress"},
        token_from=f"{url}/plan/",
    )
    assert response.status_code == 302
    plan = plan_of(db_session, url)
    assert plan.status == "approved" and plan.version == version
    assert plan.actions[0].status == "in_progress"

    # Adding an action is a change.
    assert (
        add_action(client, url, dimension="social", description="Identity card").status_code == 302
    )
    assert plan_of(db_session, url).status == "changed"
    assert "Changed, needs approval" in client.get(url).get_data(as_text=True)
    assert case_of(db_session, url).stage == Stage.IMPLEMENTATION  # the stage stays
    assert submit(client, url).status_code == 302
    assert review(boss, url).status_code == 302
    assert plan_of(db_session, url).status == "approved"

    # Editing an action is a change.
    edit = f"{url}/plan/actions/{action_id}"
    data = action(due_on="2027-03-01", status="in_progress", version=plan_version(client, url))
    assert post_form(client, edit, data).status_code == 302
    assert plan_of(db_session, url).status == "changed"
    assert submit(client, url).status_code == 302
    assert review(boss, url).status_code == 302

    # Removing an action is a change.
    response = post_form(
        client,
        f"{url}/plan/actions/{action_id}/remove",
        {"version": plan_version(client, url)},
        token_from=f"{url}/plan/",
    )
    assert response.status_code == 302
    plan = plan_of(db_session, url)
    assert plan.status == "changed" and len(plan.actions) == 1
    reviews = db_session.scalars(select(PlanReview)).all()
    assert sorted(r.decision for r in reviews) == ["approved", "approved", "approved"]
    assert [e[2] for e in _stage_events(db_session)].count("plan_approved") == 1


def test_a_returned_plan_can_be_changed_and_resubmitted(
    app, db_session, client, caseworker, farida, boss
):
    url = farida
    planned_case(client, url)
    response = review(boss, url, "return", "")
    assert response.status_code == 200
    assert 'id="comment-error"' in response.get_data(as_text=True)
    assert review(boss, url, "return", "Add the school enrolment").status_code == 302
    assert plan_of(db_session, url).status == "returned"
    assert case_of(db_session, url).stage == Stage.PLANNING
    page = client.get(f"{url}/plan/").get_data(as_text=True)
    assert "Returned with comments" in page and "Add the school enrolment" in page
    assert (
        add_action(client, url, dimension="social", description="School enrolment").status_code
        == 302
    )
    assert submit(client, url).status_code == 302
    assert plan_of(db_session, url).status == "submitted"
    assert review(boss, url).status_code == 302
    assert case_of(db_session, url).stage == Stage.IMPLEMENTATION
    history = client.get(url).get_data(as_text=True)
    plan_page = client.get(f"{url}/plan/").get_data(as_text=True)
    assert "Approved" in history and "Add the school enrolment" in history  # on the case page
    assert "Add the school enrolment" in plan_page and plan_page.count("<td>2</td>") == 1


def test_submit_needs_an_action_and_a_plan_waiting_cannot_be_submitted_twice(
    app, db_session, client, caseworker, farida
):
    record_assessment(client, farida)
    start_plan(client, farida)
    submit(client, farida)
    assert plan_of(db_session, farida).status == "draft"
    assert "Add at least one action" in client.get(f"{farida}/plan/").get_data(as_text=True)
    add_action(client, farida)
    submit(client, farida)
    submit(client, farida)
    assert len(db_session.scalars(select(PlanReview)).all()) == 1


# Locking -----------------------------------------------------------------------------------


def test_stale_saves_answer_409_and_keep_what_was_typed(
    app, db_session, client, caseworker, farida, boss
):
    url = farida
    planned_case(client, url)
    action_id = db_session.scalar(select(PlanAction.id))
    stale = plan_version(client, url)
    add_action(client, url, dimension="social", description="Family tracing")
    response = post_form(
        client,
        f"{url}/plan/actions/{action_id}",
        action(description="My unsaved wording", version=stale),
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Someone else saved this section" in body and "My unsaved wording" in body
    assert "Enrol in the tailoring grant programme" in body  # what is saved now
    removal = post_form(
        client,
        f"{url}/plan/actions/{action_id}/remove",
        {"version": stale},
        token_from=f"{url}/plan/",
    )
    assert removal.status_code == 409
    # A reviewer who read an older version must read it again.
    page = boss.get(f"{url}/plan/review").get_data(as_text=True)
    assert "Family tracing" in page
    add_action(client, url, dimension="psychosocial", description="Counselling")
    response = review(boss, url, version=stale)
    assert response.status_code == 409
    assert plan_of(db_session, url).status == "submitted"


# Responsible staff -------------------------------------------------------------------------


def test_responsible_person_is_staff_of_the_organisation_or_named(
    app, db_session, client, caseworker, farida
):
    record_assessment(client, farida)
    start_plan(client, farida)
    stranger = make_account(app, db_session, Role.CASEWORKER)
    response = add_action(client, farida, responsible_user=str(stranger.user.id))
    assert response.status_code == 200 and 'id="responsible_user-error"' in response.get_data(
        as_text=True
    )
    response = add_action(client, farida, responsible_user=" ")  # found by hypothesis: was a 500
    assert response.status_code == 200 and 'id="responsible_user-error"' in response.get_data(
        as_text=True
    )
    response = add_action(client, farida, responsible_other="  ")
    assert 'id="responsible_other-error"' in response.get_data(as_text=True)
    assert add_action(client, farida, responsible_user=str(caseworker.user.id)).status_code == 302
    stored = db_session.scalar(select(PlanAction))
    assert stored.responsible_user_id == caseworker.user.id and stored.referral_id is None


# Encryption --------------------------------------------------------------------------------


def test_assessment_plan_and_comments_are_ciphertext_at_rest(
    app, db_session, client, caseworker, farida, boss
):
    url = farida
    planned_case(client, url)
    review(boss, url, "return", "Marker-comment-5521 please add school")
    markers = [
        "No income since the return",
        "tailor for six years",
        "nightmares about the crossing",
        "Stigma from neighbours",
        "Enrol in the tailoring",
        "Business Centre Herat",
        "Marker-comment-5521",
    ]
    columns = {
        "needs_assessment": [
            f"{d}_{f}"
            for d in ("economic", "social", "psychosocial")
            for f in ("needs", "strengths", "risks")
        ],
        "plan_action": ["description", "responsible_other"],
        "plan_review": ["comment"],
    }
    raw = b""
    for table, names in columns.items():
        for row in db_session.execute(text(f"SELECT {', '.join(names)} FROM {table}")):
            raw += b"".join(bytes(v) for v in row if v is not None)
    assert raw  # something was stored
    assert [m for m in markers if m.encode() in raw] == []
    details = " ".join(d or "" for d in db_session.scalars(select(AuditEvent.details)))
    assert [m for m in markers if m in details] == []
    # ...and the pages still read them.
    plan_page = client.get(f"{url}/plan/").get_data(as_text=True)
    assert "Marker-comment-5521" in plan_page and "Business Centre Herat" in plan_page


# Tasks -------------------------------------------------------------------------------------


def test_tasks_plan_due_action_due_and_approval_waiting(
    app, db_session, client, caseworker, farida, supervisor, boss
):
    case = case_of(db_session, farida)
    case.opened_at = utcnow() - timedelta(days=40)
    db_session.commit()

    def kinds(account) -> dict[str, list]:
        with app.test_request_context("/"):
            found: dict[str, list] = {}
            for task in tasks_for(db_session, _actor(account), settings_of(app)):
                found.setdefault(task.kind, []).append(task)
            return found

    due = kinds(caseworker)["plan_due"]
    assert [t.reference for t in due] == [case.case_number] and due[0].overdue
    assert "plan_due" not in kinds(supervisor)  # the case is assigned

    record_assessment(client, farida)
    start_plan(client, farida)
    soon = (utcnow().date() + timedelta(days=2)).isoformat()
    add_action(client, farida, due_on=soon)
    add_action(
        client, farida, due_on=soon, responsible_other="", responsible_user=str(supervisor.user.id)
    )
    add_action(client, farida, due_on="2030-01-01")
    submit(client, farida)
    assert len(kinds(caseworker)["plan_action_due"]) == 1  # the one nobody on staff owns
    assert len(kinds(supervisor)["plan_action_due"]) == 1
    assert [t.reference for t in kinds(supervisor)["plan_approval"]] == [case.case_number]
    assert "plan_approval" not in kinds(caseworker)

    review(boss, farida)
    assert "plan_due" not in kinds(caseworker)  # approved
    assert "plan_approval" not in kinds(supervisor)
    done = db_session.scalars(select(PlanAction).where(PlanAction.responsible_user_id.is_(None)))
    for item in done:
        post_form(
            client,
            f"{farida}/plan/actions/{item.id}/status",
            {"status": "done"},
            token_from=f"{farida}/plan/",
        )
    assert "plan_action_due" not in kinds(caseworker)


def test_unassigned_case_plan_due_goes_to_the_supervisors(app, db_session, client, supervisor):
    sign_in(client, supervisor, db_session)
    url = registered_case(client)
    case = case_of(db_session, url)
    case.assigned_to_id = None
    case.opened_at = utcnow() - timedelta(days=25)
    db_session.commit()
    with app.test_request_context("/"):
        found = [
            t
            for t in tasks_for(db_session, _actor(supervisor), settings_of(app))
            if t.kind == "plan_due"
        ]
        assert [t.reference for t in found] == [case.case_number]
        assert found[0].due == case.opened_at.date() + timedelta(days=30)
        with override_settings(app, PLAN_DUE_DAYS=60):
            assert not [
                t
                for t in tasks_for(db_session, _actor(supervisor), settings_of(app))
                if t.kind == "plan_due"
            ]


@pytest.mark.parametrize("days", [0, -1, 366])
def test_plan_due_days_setting_is_validated(days):
    with pytest.raises(ConfigError):
        Settings.from_env(environ={"HOMEWARD_PLAN_DUE_DAYS": str(days)}).validate()
    assert Settings.from_env(environ={}).PLAN_DUE_DAYS == 30


def test_panels_say_what_is_next(app, db_session, client, caseworker, farida, boss):
    page = client.get(farida).get_data(as_text=True)
    assert "Record an assessment" in page and "record one first" in page
    record_assessment(client, farida)
    assert "Start the plan" in client.get(farida).get_data(as_text=True)
    start_plan(client, farida)
    add_action(client, farida)
    assert "Work on the plan and submit it for approval" in client.get(farida).get_data(
        as_text=True
    )
    submit(client, farida)
    assert "Review the plan" in boss.get(farida).get_data(as_text=True)
    assert "a supervisor of the organisation approves" in client.get(farida).get_data(as_text=True)


def test_erased_person_plan_and_assessments_are_gone(app, db_session, client, caseworker, farida):
    planned_case(client, farida)
    case = case_of(db_session, farida)
    case.person.erased_at = utcnow()
    db_session.commit()
    for view in ("/plan/", "/assessments/"):
        assert client.get(f"{farida}{view}").status_code == 410


def test_a_reopened_case_plans_again_from_its_plan(
    app, db_session, client, caseworker, farida, boss
):
    planned_case(client, farida)
    review(boss, farida)
    assert start_plan(client, farida).status_code == 302
    assert plan_of(db_session, farida).status == "approved"  # no second plan, nothing changed
    case = case_of(db_session, farida)
    case.stage = Stage.ASSESSMENT.value  # as reopening does (casework.stages "reopened")
    db_session.commit()
    assert "Plan again" in client.get(farida).get_data(as_text=True)
    assert start_plan(client, farida).status_code == 302
    assert case_of(db_session, farida).stage == Stage.PLANNING
    assert plan_of(db_session, farida).status == "changed"
    submit(client, farida)
    review(boss, farida)
    assert case_of(db_session, farida).stage == Stage.IMPLEMENTATION
