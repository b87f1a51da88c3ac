"""Safety pages: the flags of a case (raise, end early, mark seen), the safety plan (view,
write with optimistic locking); the case-page panel."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.queries import user_names
from casework import stages
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.safety import policy, queries, services
from casework.safety.forms import EndFlagForm, FlagForm, SafetyPlanForm, end_prefix
from casework.safety.models import CaseFlag
from casework.services import CaseworkError
from core.clock import utcnow
from core.db import get_session
from core.exceptions import EditConflict
from core.forms import field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel | None:
    """Receiver of ``casework.signals.case_panels_collecting``: flags and the safety plan."""
    if not policy.can_view_safety(actor, case):
        return None
    return CasePanel(
        "safety",
        "casework/safety/_panel.html",
        20,
        queries.panel_context(case, actor),
        anchor="safety",
        title=_("Safety"),
    )


def _flags_page(
    case: Case, end_forms: dict[uuid.UUID, EndFlagForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    today = utcnow().date()
    every = services.flags(db, case)
    people = {f.raised_by_id for f in every} | {f.ended_by_id for f in every}
    people |= {f.seen_by_id for f in every}
    forms = end_forms or {}
    context: dict[str, Any] = {
        "case": case,
        "active": queries.shown(db, [f for f in every if f.active_on(today)]),
        "past": queries.shown(db, [f for f in every if not f.active_on(today)]),
        "end_forms": {
            f.id: forms.get(f.id) or EndFlagForm(formdata=None, prefix=end_prefix(f.id))
            for f in every
            if f.active_on(today)
        },
        "may_change": stages.is_open(case) and policy.can_change_safety(actor, case),
        "may_mark_seen": {f.id for f in every if policy.can_mark_seen(actor, case, f)},
        "names": user_names(db, people),
        "today": today,
    }
    return render_template("casework/safety/flags.html", **context), status


@require(Permission.CASE_VIEW)
def flags(case_id: uuid.UUID) -> ResponseReturnValue:
    case = load_case(case_id)
    policy.authorize_view_safety(require_actor(), case)
    record_page_view(case, "safety_flags")
    return _flags_page(case)


@require(Permission.CASE_EDIT)
def raise_flag(case_id: uuid.UUID) -> ResponseReturnValue:
    case = load_case(case_id, edit=True)
    record_page_view(case, "flag_raise")
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.raise_flag(
                get_session(),
                require_actor(),
                case,
                form.kind.data,
                form.reason.data,
                form.expires_on.data,
                bool(form.tell_supervisor.data),
            )
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(
                _("Flag raised. It shows at the top of the case and in the case lists."), "success"
            )
            return redirect(url_for("casework.case", case_id=case.id, _anchor="safety"))
    status = 400 if form.errors else 200
    return render_template("casework/safety/raise.html", case=case, form=form), status


def _flag_or_404(case: Case, flag_id: uuid.UUID) -> CaseFlag:
    flag = services.get_flag(get_session(), case, flag_id)
    if flag is None:
        abort(404)
    return flag


@require(Permission.CASE_EDIT)
def end_flag(case_id: uuid.UUID, flag_id: uuid.UUID) -> ResponseReturnValue:
    case = load_case(case_id, edit=True)
    flag = _flag_or_404(case, flag_id)
    form = EndFlagForm(prefix=end_prefix(flag.id))
    if form.validate_on_submit():
        try:
            services.end_flag(get_session(), require_actor(), case, flag, form.end_reason.data)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Flag ended. It stays in the case's flag history."), "success")
            return redirect(url_for("casework.safety.flags", case_id=case.id))
    return _flags_page(case, {flag.id: form}, 400)


@require(Permission.CASE_APPROVE)
def mark_seen(case_id: uuid.UUID, flag_id: uuid.UUID) -> ResponseReturnValue:
    case = load_case(case_id)
    flag = _flag_or_404(case, flag_id)
    try:
        services.mark_seen(get_session(), require_actor(), case, flag)
    except CaseworkError as exc:
        flash(_(str(exc.message)), "error")
    else:
        flash(_("Marked seen. The task is gone from every supervisor's list."), "success")
    return redirect(url_for("casework.safety.flags", case_id=case.id))


@require(Permission.CASE_VIEW)
def plan(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    policy.authorize_view_safety(require_actor(), case)
    record_page_view(case, "safety_plan")
    found = services.get_plan(db, case)
    revisions = services.revisions(db, found)
    names = user_names(db, {r.saved_by_id for r in revisions})
    may_change = stages.is_open(case) and policy.can_change_safety(require_actor(), case)
    return render_template(
        "casework/safety/plan.html",
        case=case,
        plan=found,
        revisions=revisions,
        names=names,
        may_change=may_change,
        today=utcnow().date(),
    )


@require(Permission.CASE_EDIT)
def edit_plan(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    record_page_view(case, "safety_plan_edit")
    stored = services.get_plan(db, case)
    form = SafetyPlanForm(obj=stored)
    if not form.is_submitted():
        form.version.data = str(stored.version if stored else 0)
    elif form.validate_on_submit():
        try:
            services.save_plan(db, require_actor(), case, _details(form), _version(form))
        except EditConflict as exc:
            form.version.data = str(exc.version)
            return _edit_page(case, form, exc.current, 409)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Safety plan saved."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="safety"))
    return _edit_page(case, form, None, 400 if form.errors else 200)


def _details(form: SafetyPlanForm) -> services.PlanDetails:
    return services.PlanDetails(
        form.risks.data, form.measures.data, form.emergency_contacts.data, form.review_on.data
    )


def _version(form: SafetyPlanForm) -> int:
    try:
        return int(form.version.data or "")
    except ValueError:
        return -1  # a made-up version never matches: the page shows what is stored


def _edit_page(
    case: Case, form: SafetyPlanForm, conflict: dict[str, Any] | None, status: int
) -> ResponseReturnValue:
    return render_template(
        "casework/safety/edit_plan.html", case=case, form=form, conflict=conflict
    ), status
