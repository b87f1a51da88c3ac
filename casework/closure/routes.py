"""Closure pages: request, decide (approve or return), reopen; the case-page panel and tasks."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.queries import user_names
from casework import stages
from casework.closure import services, vocabulary
from casework.closure.forms import ClosureDecisionForm, ClosureRequestForm, ReopenForm
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.services import CaseworkError
from core.db import get_session
from core.forms import field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    history = services.closures(db, case)
    reopened = services.reopenings(db, case)
    people = {c.requested_by_id for c in history} | {c.decided_by_id for c in history}
    people |= {r.reopened_by_id for r in reopened}
    pending = next((c for c in history if c.status == vocabulary.ClosureStatus.PENDING), None)
    return {
        "closures": history,
        "reopenings": reopened,
        "pending": pending,
        "may_decide": pending is not None and services.can_decide(actor, pending),
        "may_reopen": not stages.is_open(case) and services.can_reopen(actor, case),
        "names": user_names(db, people),
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: closure and reopening."""
    return CasePanel(
        "closure",
        "casework/closure/_panel.html",
        70,
        panel_context(case, actor),
        anchor="closure",
        title=_("Closure"),
    )


def case_closed(error: stages.CaseClosedError) -> ResponseReturnValue:
    """Edits of a closed case: a clear page (409) that says how to reopen it."""
    return render_template("casework/closure/closed.html", case_id=error.case_id), 409


@require(Permission.CASE_EDIT)
def request_closure(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    record_page_view(case, "closure_request")
    form = ClosureRequestForm()
    pending = services.pending_closure(db, case)
    if pending is None and form.validate_on_submit():
        try:
            services.request_closure(db, require_actor(), case, form.reason.data, form.summary.data)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Closure requested. A supervisor will approve it or return it."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="closure"))
    return render_template("casework/closure/request.html", case=case, form=form, pending=pending)


@require(Permission.CASE_APPROVE)
def decide(case_id: uuid.UUID, closure_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id)
    closure = services.get_closure(db, case, closure_id)
    if closure is None:
        abort(404)
    services.authorize_decision(actor, case, closure)
    record_page_view(case, "closure_decision")
    form = ClosureDecisionForm()
    if closure.status == vocabulary.ClosureStatus.PENDING and form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                services.approve_closure(db, actor, case, closure)
                flash(_("Approved. The case is closed."), "success")
            else:
                services.return_closure(db, actor, case, closure, form.comment.data)
                flash(_("Returned to the caseworker with your comment."), "success")
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            return redirect(url_for("casework.case", case_id=case.id, _anchor="closure"))
    names = user_names(db, {closure.requested_by_id})
    return render_template(
        "casework/closure/decide.html", case=case, closure=closure, form=form, names=names
    )


@require(Permission.CASE_EDIT)
def reopen(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id)
    services.authorize_reopen(actor, case)
    if case.person.erased_at is not None:
        abort(410)  # an erased person's case stays closed: nothing can be written for them
    record_page_view(case, "reopen")
    form = ReopenForm()
    if not stages.is_open(case) and form.validate_on_submit():
        try:
            services.reopen_case(db, actor, case, form.reason.data)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Reopened. The case is back in assessment."), "success")
            return redirect(url_for("casework.case", case_id=case.id))
    return render_template("casework/closure/reopen.html", case=case, form=form)
