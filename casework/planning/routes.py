"""Plan pages; the case-page panels, task sources and demo data of planning."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from auth.queries import user_names
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.planning import approval, policy, queries, services, vocabulary
from casework.planning import assessments as assessing
from casework.planning.forms import (
    ActionForm,
    ActionRow,
    ActionRowsForm,
    ActionStatusForm,
    ReviewForm,
    VersionForm,
)
from casework.planning.links import action_links
from casework.planning.models import Plan, PlanAction
from casework.planning.vocabulary import ActionStatus, Dimension, PlanStatus
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.db import get_session
from core.exceptions import EditConflict
from core.forms import ConfirmForm, field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor


def assessment_panel(case: Case, actor: Actor) -> dict[str, Any]:
    found = assessing.assessments(get_session(), case)
    return {"latest": found[0] if found else None, "count": len(found)}


def assessment_case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the assessments."""
    return CasePanel(
        "assessment",
        "casework/planning/_assessment_panel.html",
        50,
        assessment_panel(case, actor),
        anchor="assessment",
        title=_("Needs and vulnerability assessment"),
    )


def _people(plan: Plan) -> set[uuid.UUID | None]:
    """Staff named on the plan: responsible for actions, submitters and deciders."""
    people: set[uuid.UUID | None] = {a.responsible_user_id for a in plan.actions}
    return (
        people | {r.submitted_by_id for r in plan.reviews} | {r.decided_by_id for r in plan.reviews}
    )


def plan_panel(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    plan = services.get_plan(db, case)
    return {
        "plan": plan,
        "assessed": bool(assessing.assessments(db, case)),
        # A reopened case is back at assessment: it plans again from its earlier plan.
        "restart": plan is not None and case.stage == Stage.ASSESSMENT.value,
        "may_decide": plan is not None and policy.may_decide(actor, case, plan),
        "names": user_names(db, _people(plan)) if plan else {},
        "start_form": ConfirmForm(),
    }


def plan_case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the reintegration plan."""
    return CasePanel(
        "plan",
        "casework/planning/_plan_panel.html",
        55,
        plan_panel(case, actor),
        anchor="plan",
        title=_("Reintegration plan"),
    )


def _version(form: Any) -> int:
    try:
        return int(form.version.data or "")
    except ValueError:
        return -1


def _plan_or_404(case: Case) -> Plan:
    """The case's plan, or 404; 410 once the person's data was erased (nothing decrypts)."""
    if case.person.erased_at is not None:
        abort(410)
    plan = services.get_plan(get_session(), case)
    if plan is None:
        abort(404)
    return plan


def _action_or_404(plan: Plan, action_id: uuid.UUID) -> PlanAction:
    action = services.get_action(plan, action_id)
    if action is None:
        abort(404)
    return action


def _to_plan(case: Case) -> ResponseReturnValue:
    return redirect(url_for("casework.planning.plan", case_id=case.id))


# The plan ----------------------------------------------------------------------------------


def _staff_choices(case: Case) -> list[tuple[str, str]]:
    return [(str(u.id), u.display_name) for u in queries.staff(get_session(), case)]


def _rows_form(case: Case, plan: Plan, posted: bool = False) -> ActionRowsForm:
    """The several-actions form: as posted to it, or empty rows at the plan's version (also
    under another form's answer, whose version is not this form's)."""
    form = ActionRowsForm() if posted else ActionRowsForm(formdata=None)
    if not posted:
        form.version.data = str(plan.version)
    form.offer_staff(_staff_choices(case))
    return form


def _render_plan(case: Case, plan: Plan, status: int = 200, **extra: Any) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    extra.setdefault("rows_form", _rows_form(case, plan))
    extra.setdefault("rows_error", None)
    context = {
        "case": case,
        "plan": plan,
        "names": user_names(db, _people(plan)),
        "refer_permission": Permission.REFERRAL_SEND,
        "links": action_links(db, [a.referral_id for a in plan.actions if a.referral_id]),
        "may_decide": policy.may_decide(actor, case, plan),
        "refusal": policy.decision_refusal(actor, case, plan),
        "pending": approval.pending_review(plan),
        "submittable": PlanStatus(plan.status) in vocabulary.SUBMITTABLE,
        **extra,
    }
    return render_template("casework/planning/plan.html", **context), status


@require(Permission.CASE_EDIT)
def start_plan(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.start_plan(db, require_actor(), case)
        except CaseworkError as exc:
            flash(_(str(exc.message)), "error")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="plan"))
        flash(_("Plan started. Add its actions, then submit it for approval."), "success")
        return _to_plan(case)
    abort(400)


@require(Permission.CASE_VIEW)
def plan(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    found = _plan_or_404(case)
    services.record_view(db, require_actor(), case, "plan.viewed", "plan", found.id)
    return _render_plan(case, found)


def _action_form(case: Case) -> ActionForm:
    form = ActionForm()
    form.responsible_user.choices = [("", "—"), *_staff_choices(case)]
    return form


def _action_details(form: ActionForm | ActionRow) -> services.ActionDetails:
    assert form.due_on.data is not None
    status = form.status.data if isinstance(form, ActionForm) else ActionStatus.PLANNED
    return services.ActionDetails(
        dimension=Dimension(form.dimension.data),
        description=form.description.data or "",
        due_on=form.due_on.data,
        status=ActionStatus(status),
        responsible_user_id=uuid.UUID(form.responsible_user.data)
        if form.responsible_user.data
        else None,
        responsible_other=form.responsible_other.data,
    )


@require(Permission.CASE_EDIT)
def add_actions(case_id: uuid.UUID) -> ResponseReturnValue:
    """Several actions typed in rows on the plan page: all saved, or none with each row's
    errors beside it; "Add more rows" offers more empty rows and keeps what was typed."""
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    form = _rows_form(case, found, posted=True)
    if not form.csrf_token.validate(form):
        abort(400)
    if "more" in request.form:
        form.add_rows(_staff_choices(case))
        return _render_plan(case, found, rows_form=form)
    refused = _("Check the rows marked below: nothing was saved.")
    if not form.validate():
        return _render_plan(case, found, rows_form=form, rows_error=refused)
    filled = form.filled_rows()
    rows = [_action_details(row) for _n, row in filled]
    try:
        services.add_actions(get_session(), require_actor(), case, found, rows, _version(form))
    except EditConflict as exc:
        form.version.data = str(exc.version)
        return _render_plan(case, found, 409, rows_form=form, stale=True)
    except services.ActionRowsError as exc:
        for position, refusal in exc.rows.items():
            field_error(filled[position][1], refusal)
        return _render_plan(case, found, rows_form=form, rows_error=refused)
    except CaseworkError as exc:
        return _render_plan(case, found, rows_form=form, rows_error=_(str(exc.message)))
    flash(ngettext("%(num)s action added.", "%(num)s actions added.", len(rows)), "success")
    return redirect(url_for("casework.planning.plan", case_id=case.id, _anchor="main"))


@require(Permission.CASE_EDIT)
def add_action(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    record_page_view(case, "plan_action_new")
    form = _action_form(case)
    if form.validate_on_submit():
        try:
            services.add_action(db, require_actor(), case, found, _action_details(form))
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Action added."), "success")
            return _to_plan(case)
    return render_template(
        "casework/planning/action.html", case=case, plan=found, form=form, action=None
    )


@require(Permission.CASE_EDIT)
def edit_action(case_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    action = _action_or_404(found, action_id)
    record_page_view(case, "plan_action")
    form = _action_form(case)
    template = "casework/planning/action.html"
    if not form.is_submitted():
        form.version.data = str(found.version)
        form.dimension.data = action.dimension
        form.description.data = action.description
        form.responsible_user.data = str(action.responsible_user_id or "")
        form.responsible_other.data = action.responsible_other
        form.due_on.data = action.due_on
        form.status.data = action.status
    elif form.validate():
        try:
            changed = services.update_action(
                db, require_actor(), case, found, action, _action_details(form), _version(form)
            )
        except EditConflict as exc:
            form.version.data = str(exc.version)
            context = {"case": case, "plan": found, "form": form, "action": action}
            return render_template(template, conflict=exc.current, **context), 409
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return _to_plan(case)
    return render_template(template, case=case, plan=found, form=form, action=action)


@require(Permission.CASE_EDIT)
def remove_action(case_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    action = _action_or_404(found, action_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.remove_action(db, require_actor(), case, found, action, _version(form))
    except EditConflict:
        return _render_plan(case, found, 409, stale=True)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
    else:
        flash(_("Action removed."), "success")
    return _to_plan(case)


@require(Permission.CASE_EDIT)
def action_status(case_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    action = _action_or_404(found, action_id)
    form = ActionStatusForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the statuses."), "error")
        return _to_plan(case)
    try:
        changed = services.set_action_status(
            db, require_actor(), case, found, action, ActionStatus(form.status.data)
        )
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
    else:
        flash(_("Status updated.") if changed else _("Nothing changed."), "success")
    return _to_plan(case)


@require(Permission.CASE_EDIT)
def submit(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        approval.submit_plan(db, require_actor(), case, found, _version(form))
    except EditConflict:
        return _render_plan(case, found, 409, stale=True)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
    else:
        flash(_("Plan submitted. A supervisor of your organisation will review it."), "success")
    return _to_plan(case)


@require(Permission.CASE_APPROVE)
def review(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id, edit=True)
    found = _plan_or_404(case)
    policy.authorize_decision(actor, case, found)
    pending = approval.pending_review(found)
    if pending is None:
        flash(_("The plan is not waiting for approval."), "warning")
        return _to_plan(case)
    form = ReviewForm()
    status = 200
    answered = assessing.assessments(db, case)
    if not form.is_submitted():
        form.version.data = str(found.version)
        services.record_view(db, actor, case, "plan.viewed", "plan", found.id)
        if answered:
            services.record_view(db, actor, case, "assessment.viewed", "assessment", answered[0].id)
    elif form.validate():
        try:
            approval.decide(
                db,
                actor,
                case,
                found,
                approve=form.decision.data == "approve",
                comment=form.comment.data,
                loaded_version=_version(form),
            )
        except EditConflict as exc:
            form.version.data = str(exc.version)
            flash(_("The plan changed while you were reading it: read it again."), "warning")
            status = 409
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            approved = form.decision.data == "approve"
            flash(_("Plan approved.") if approved else _("Plan returned."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="plan"))
    names = user_names(db, _people(found))
    return render_template(
        "casework/planning/review.html",
        case=case,
        plan=found,
        form=form,
        pending=pending,
        names=names,
        assessment=answered[0] if answered else None,
    ), status
