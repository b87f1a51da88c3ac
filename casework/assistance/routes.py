"""Assistance pages: record a disbursement, see one and attach its receipt, decide on one,
the case-page panel and the organisation's summary. HTTP only: the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import record
from auth.queries import user_names
from casework import policy as case_policy
from casework import stages
from casework.assistance import money, policy, queries, services
from casework.assistance.budget import budget as case_budget
from casework.assistance.forms import DecisionForm, DisbursementForm, ReceiptForm
from casework.assistance.models import Disbursement
from casework.assistance.vocabulary import DisbursementStatus
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.queries import case_team
from casework.services import CaseworkError
from core.config import current_settings
from core.db import get_session, keep_changes_on_error
from core.exceptions import ConflictError, ServiceError
from core.extensions import NavItem
from core.forms import field_error, parse_uuid
from core.permissions import Permission
from core.security import Actor, require, require_actor


def amount(minor: int | None, currency: str) -> str:
    """The ``assistance_amount`` filter: minor units shown in the reader's locale."""
    return str(format_currency(money.from_minor(minor, currency), currency))


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    settings = current_settings().casework
    rows = services.disbursements(db, actor, case)
    people: set[uuid.UUID | None] = {d.requested_by_id for d in rows}
    people |= {d.delivered_by_id for d in rows}
    people |= {d.decided_by_id for d in rows}
    return {
        "rows": rows,
        "totals": queries.case_totals(db, case),
        "pending": queries.case_totals(db, case, pending=True),
        "budget": case_budget(db, case, settings),
        "may_record": policy.can_record(actor, case) and stages.is_open(case),
        "names": user_names(db, people),
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel | None:
    """Receiver of ``casework.signals.case_panels_collecting``: the case's assistance (none
    for a reader the policy does not let see it, e.g. one holding an emergency grant)."""
    if not case_policy.can_view_case(actor, case):
        return None
    return CasePanel(
        "assistance",
        "casework/assistance/_panel.html",
        62,
        panel_context(case, actor),
        anchor="assistance",
        title=_("Assistance"),
    )


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the organisation's summary."""
    return [
        NavItem("casework.assistance_summary.index", _l("Assistance"), Permission.CASE_APPROVE, 69)
    ]


def _fill_choices(form: DisbursementForm, case: Case) -> None:
    db = get_session()
    settings = current_settings().casework
    form.currency.choices = [(c, c) for c in settings.assistance_currencies]
    team = case_team(db, case.organisation_id)
    names = user_names(db, {u.id for u in team})
    form.delivered_by.choices = [(str(u.id), names.get(u.id, "—")) for u in team]
    actions = services.plan_actions(db, case)
    form.plan_action.choices = [("", _("None")), *((str(i), label) for i, label in actions)]
    if request.method == "GET":
        form.currency.data = settings.assistance_currency
        form.delivered_by.data = str(require_actor().user_id)


@require(Permission.CASE_EDIT)
def record_assistance(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case = load_case(case_id, edit=True)
    policy.authorize_record(actor, case)
    record_page_view(case, "assistance_record")
    settings = current_settings().casework
    form = DisbursementForm()
    _fill_choices(form, case)
    status = 200
    if form.is_submitted():
        status = 422
    if form.validate_on_submit():
        details = services.DisbursementDetails(
            kind=form.kind.data,
            amount=form.amount.data,
            currency=form.currency.data,
            delivered_on=form.delivered_on.data,
            delivered_by_id=parse_uuid(form.delivered_by.data),
            plan_action_id=parse_uuid(form.plan_action.data),
            note=form.note.data,
        )
        try:
            disbursement = services.record_disbursement(db, actor, case, details, settings)
        except CaseworkError as exc:
            keep_changes_on_error()  # the audited refusal stays
            field_error(form, exc)
        else:
            if disbursement.status == DisbursementStatus.PENDING:
                flash(_("Recorded. It waits for a second person's approval."), "success")
            else:
                flash(_("Assistance recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="assistance"))
    budget = case_budget(db, case, settings)
    page = render_template("casework/assistance/record.html", case=case, form=form, budget=budget)
    return page, status


def _load(
    case_id: uuid.UUID, disbursement_id: uuid.UUID, *, edit: bool = False
) -> tuple[Case, Disbursement]:
    case = load_case(case_id, edit=edit)
    found = services.get_disbursement(get_session(), case, disbursement_id)
    if found is None:
        abort(404)
    policy.authorize_view(require_actor(), case, found)
    return case, found


def _detail_page(
    case: Case, disbursement: Disbursement, form: ReceiptForm | None, status: int = 200
) -> ResponseReturnValue:
    actor = require_actor()
    db = get_session()
    names = user_names(
        db,
        {disbursement.requested_by_id, disbursement.delivered_by_id, disbursement.decided_by_id},
    )
    may_attach = policy.can_record(actor, case) and stages.is_open(case)
    if form is None and may_attach and disbursement.status != DisbursementStatus.RETURNED:
        form = ReceiptForm()
        form.version.data = str(disbursement.version)
    actions = dict(services.plan_actions(db, case)) if disbursement.plan_action_id else {}
    page = render_template(
        "casework/assistance/disbursement.html",
        case=case,
        d=disbursement,
        form=form if disbursement.status != DisbursementStatus.RETURNED else None,
        names=names,
        may_decide=policy.may_decide(actor, case, disbursement)
        and disbursement.status == DisbursementStatus.PENDING,
        action_label=actions.get(disbursement.plan_action_id)
        if disbursement.plan_action_id
        else None,
    )
    return page, status


@require(Permission.CASE_VIEW)
def disbursement(case_id: uuid.UUID, disbursement_id: uuid.UUID) -> ResponseReturnValue:
    case, found = _load(case_id, disbursement_id)
    record_page_view(case, "assistance_disbursement")
    return _detail_page(case, found, None)


@require(Permission.CASE_EDIT)
def receipt(case_id: uuid.UUID, disbursement_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case, found = _load(case_id, disbursement_id, edit=True)
    policy.authorize_record(actor, case)
    form = ReceiptForm()
    if not form.validate_on_submit():
        return _detail_page(case, found, form, 422)
    max_bytes = current_settings().casework.attachment_max_bytes
    data = form.receipt.data.stream.read(max_bytes + 1)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = None
    try:
        services.attach_receipt(
            db,
            actor,
            case,
            found,
            data=data,
            file_name=form.receipt.data.filename,
            description=_("Receipt of a disbursement"),
            version=version,
            max_bytes=max_bytes,
        )
    except ConflictError as exc:
        keep_changes_on_error()
        form.receipt.errors = [str(exc.message)]
        return _detail_page(case, found, form, 409)
    except ServiceError as exc:
        keep_changes_on_error()  # the audited refusal stays
        form.receipt.errors = [str(exc.message)]
        too_large = getattr(exc, "reason", None) == "too_large"  # attachments' refusal
        return _detail_page(case, found, form, 413 if too_large else 422)
    flash(_("Receipt attached."), "success")
    return redirect(
        url_for("casework.assistance.disbursement", case_id=case.id, disbursement_id=found.id)
    )


@require(Permission.CASE_APPROVE)
def decide(case_id: uuid.UUID, disbursement_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    case, found = _load(case_id, disbursement_id)
    policy.authorize_decision(actor, case, found)
    record_page_view(case, "assistance_decision")
    form = DecisionForm()
    status = 200
    if found.status == DisbursementStatus.PENDING and form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                services.approve(db, actor, case, found)
                flash(_("Approved. It counts against the budget."), "success")
            else:
                services.return_disbursement(db, actor, case, found, form.comment.data)
                flash(_("Returned with your comment. It no longer counts."), "success")
        except ConflictError as exc:
            db.refresh(found)  # someone decided first: show what they decided
            field_error(form, exc)
            status = 409
        except CaseworkError as exc:
            field_error(form, exc)
            status = 422
        else:
            return redirect(url_for("casework.case", case_id=case.id, _anchor="assistance"))
    elif form.is_submitted():
        status = 409 if found.status != DisbursementStatus.PENDING else 422
    names = user_names(db, {found.requested_by_id, found.delivered_by_id, found.decided_by_id})
    budget = case_budget(db, case, current_settings().casework)
    page = render_template(
        "casework/assistance/decide.html",
        case=case,
        d=found,
        form=form,
        names=names,
        budget=budget,
    )
    return page, status


@require(Permission.CASE_APPROVE)
def summary() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    policy.authorize_summary(actor)
    found = queries.organisation_summary(db, actor)
    record(
        db,
        "assistance.summary_viewed",
        actor=actor,
        object_type="organisation",
        object_id=actor.organisation_id,
    )
    return render_template("casework/assistance/summary.html", summary=found)
