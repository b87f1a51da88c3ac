"""Casework pages: caseload, registration with duplicate check, the case page."""

from __future__ import annotations

import uuid

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from auth.queries import user_names
from casework import (
    caseload,
    emergency,
    formdata,
    policy,
    queries,
    services,
    transfers,
)
from casework.disclosure import DisclosureBudget
from casework.duplicates import find_possible_duplicates
from casework.forms import (
    AssignForm,
    DeclineTransferForm,
    EmergencyForm,
    NoteForm,
    RegistrationForm,
    SearchForm,
    TransferForm,
)
from casework.loading import emergency_across_organisations, load_case
from casework.models import Case
from casework.next_step import next_step
from casework.panels import case_panels, case_sections
from casework.screening.services import reflection_periods
from casework.search_routes import prefilled_registration
from casework.vocabulary import VULNERABILITIES, CaseType, RiskLevel, Stage, choices
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.errors import render_error
from core.extensions import NavItem, isolate_text
from core.forms import ConfirmForm, field_error, parse_uuid
from core.i18n.plurals import ngettext
from core.lists import queries as lists
from core.permissions import Permission, Role
from core.security import current_actor, deny, require, require_actor


def not_in_scope(error: Exception) -> ResponseReturnValue:
    """A refused case offers emergency access to those who may ask for it."""
    actor = current_actor()
    case_id = g.get("denied_case_id")
    if case_id is None or actor is None or not actor.can(Permission.CASE_EMERGENCY_ACCESS):
        return render_error(403)
    return render_template("casework/not_in_scope.html", case_id=case_id), 403


@require(Permission.CASE_EMERGENCY_ACCESS)
def emergency_access(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    record = db.get(Case, case_id)
    if record is None:
        abort(404)
    if policy.can_view_case(actor, record):
        return redirect(url_for("casework.case", case_id=record.id))
    refused = emergency.refusal(
        db, actor, record, across_organisations=emergency_across_organisations()
    )
    if refused is not None:
        deny(
            Permission.CASE_EMERGENCY_ACCESS,
            refused,
            object_type="case",
            object_id=record.id,
            case_id=record.id,
        )
    form = EmergencyForm()
    minutes = current_settings().casework.emergency_access_minutes
    if form.validate_on_submit():
        try:
            emergency.grant(
                db,
                actor,
                record,
                form.reason.data or "",
                minutes,
                across_organisations=emergency_across_organisations(),
            )
        except services.CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(
                ngettext(
                    "Emergency access for %(num)d minute. Auditors have been told.",
                    "Emergency access for %(num)d minutes. Auditors have been told.",
                    minutes,
                ),
                "warning",
            )
            return redirect(url_for("casework.case", case_id=record.id))
    return render_template("casework/emergency.html", form=form, case_id=record.id, minutes=minutes)


def _filters() -> caseload.CaseFilters:
    def pick(name: str, allowed: list[str]) -> str | None:
        value = request.args.get(name) or None
        return value if value in allowed else None

    assigned_id = parse_uuid(request.args.get("assigned"))
    return caseload.CaseFilters(
        stage=pick("stage", [s.value for s in Stage]),
        case_type=pick("type", [t.value for t in CaseType]),
        vulnerability=pick("vulnerability", sorted(lists.known(get_session(), VULNERABILITIES))),
        risk_level=pick("risk", [r.value for r in RiskLevel]),
        assigned_to_id=assigned_id,
        mine_only=request.args.get("mine") == "1",
        overdue=request.args.get("overdue") == "1",
        sort=pick("sort", list(caseload.SORTS)) or "newest",
    )


@require(Permission.CASE_VIEW)
def index() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    filters = _filters()
    page = caseload.list_cases(db, actor, filters, request.args.get("after"))
    names = user_names(db, {c.assigned_to_id for c in page.cases})
    args = {
        k: v
        for k, v in request.args.items()
        if k in {"stage", "type", "vulnerability", "risk", "assigned", "mine", "sort", "overdue"}
    }
    return render_template(
        "casework/index.html",
        page=page,
        filters=filters,
        args=args,
        names=names,
        search_form=SearchForm(),
        stages=choices(Stage),
        types=choices(CaseType),
        vulnerabilities=lists.choices(
            db, VULNERABILITIES, keep=[filters.vulnerability] if filters.vulnerability else []
        ),
        risks=choices(RiskLevel),
        colleagues=queries.assignable_users(db, actor) if actor.role is Role.SUPERVISOR else [],
        incoming=transfers.incoming_transfers(db, actor),
        decline_form=DeclineTransferForm(),
        confirm_form=ConfirmForm(),
    )


@require(Permission.CASE_CREATE)
def register() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    prefilled = prefilled_registration()
    if prefilled is not None:
        return render_template("casework/register.html", form=prefilled, duplicates=None)
    form = RegistrationForm()
    duplicates = None
    if form.validate_on_submit():
        person, documents = formdata.person_details(form), formdata.document_details(form)
        budget = DisclosureBudget.from_settings(current_settings().casework)
        duplicates = find_possible_duplicates(db, actor, person, documents, budget)
        if not duplicates.found or form.not_a_duplicate.data:
            try:
                case = services.register_case(
                    db, actor, person, documents, formdata.case_details(form)
                )
            except services.CaseworkError as exc:
                field_error(form, exc)
            else:
                flash(
                    _("Case %(number)s registered.", number=isolate_text(case.case_number)),
                    "success",
                )
                if duplicates.withheld:
                    flash(
                        _(
                            "The duplicate check ran, but matches held by other organisations "
                            "are not shown to you for now: you have reached the limit on being "
                            "told which organisation knows a person. Ask a supervisor to check."
                        ),
                        "warning",
                    )
                return redirect(url_for("casework.case", case_id=case.id))
        elif duplicates.found:
            flash(
                _("This person may be registered already. Check the possible matches below."),
                "warning",
            )
    return render_template("casework/register.html", form=form, duplicates=duplicates)


@require(Permission.CASE_VIEW)
def case(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    record = load_case(case_id, erased=True)
    services.record_case_view(db, actor, record, g.get("emergency_grant"))
    assign_form = None
    if actor.role is Role.SUPERVISOR:
        assign_form = AssignForm()
        assign_form.assignee.choices = [
            (str(u.id), u.display_name) for u in queries.assignable_users(db, actor)
        ]
        assign_form.assignee.data = str(record.assigned_to_id) if record.assigned_to_id else None
    names = user_names(db, {record.assigned_to_id, *(n.author_id for n in record.notes)})
    transfer_form = None
    if assign_form is not None and policy.can_assign(actor, record):
        transfer_form = TransferForm()
        transfer_form.organisation.choices = [
            (str(o.id), o.name) for o in transfers.receiving_organisations(db, record)
        ]
    periods = reflection_periods(db, record) if record.person.erased_at is None else []
    print_view = request.args.get("print") == "1"
    panels = case_panels(record, actor) if record.person.erased_at is None else []
    return render_template(
        "casework/case.html",
        sections=case_sections(panels, assignment=assign_form is not None and not print_view),
        next_step=next_step(db, record, actor),
        reflection=periods[0] if periods else None,
        today=utcnow().date(),
        case=record,
        person=record.person,
        names=names,
        note_form=NoteForm(),
        assign_form=assign_form,
        panels=panels,
        transfer_form=transfer_form,
        pending_transfer=transfers.pending_transfer(db, record),
        print_view=print_view,
    )


@require(Permission.CASE_EDIT)
def add_note(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    record = load_case(case_id, edit=True)
    form = NoteForm()
    if form.validate_on_submit():
        corrects = request.form.get("corrects")
        corrects_id = parse_uuid(corrects)
        try:
            if corrects and corrects_id is None:
                raise services.CaseworkError(_l("The note to correct is not on this case."))
            services.add_note(db, require_actor(), record, form.body.data or "", corrects_id)
        except services.CaseworkError as exc:
            flash(_(str(exc.message)), "error")
            return redirect(url_for("casework.case", case_id=record.id, _anchor="notes"))
        flash(_("Note added."), "success")
    else:
        flash(_("Write something before saving the note (at most 20,000 characters)."), "error")
    return redirect(url_for("casework.case", case_id=record.id, _anchor="notes"))


@require(Permission.CASE_ASSIGN)
def assign(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    record = get_session().get(Case, case_id)
    if record is None:
        abort(404)
    policy.authorize_assign(actor, record)
    form = AssignForm()
    form.assignee.choices = [
        (str(u.id), u.display_name) for u in queries.assignable_users(db, actor)
    ]
    if form.validate_on_submit():
        assignee = parse_uuid(form.assignee.data)
        try:
            if assignee is None:
                raise services.CaseworkError("Choose an active caseworker of this organisation.")
            services.assign_case(db, actor, record, assignee)
        except services.CaseworkError:
            flash(_("Choose an active caseworker of this organisation."), "error")
        else:
            flash(_("Case assigned."), "success")
    else:
        flash(_("Choose an active caseworker of this organisation."), "error")
    return redirect(url_for("casework.case", case_id=record.id))


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the caseload and registration."""
    return [
        NavItem("casework.index", _l("Cases"), Permission.CASE_VIEW, 10),
        NavItem("casework.register", _l("Register"), Permission.CASE_CREATE, 11),
    ]
