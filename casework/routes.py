"""Casework pages: caseload, registration with duplicate check, search, the case page."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework import demo, policy, services, vocabulary
from casework.attachments.routes import blueprint as attachments_blueprint
from casework.forms import AssignForm, NoteForm, RegistrationForm, SearchForm
from casework.models import Case
from casework.panels import case_panels
from casework.vocabulary import CaseType, RiskLevel, Stage, Vulnerability, choices, label
from core.crypto import SearchTooBroadError
from core.db import get_session
from core.extensions import NavItem, register_nav_item
from core.permissions import Permission, Role
from core.security import require, require_actor

blueprint = Blueprint("casework", __name__, url_prefix="/cases")
blueprint.register_blueprint(attachments_blueprint)


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    register_nav_item(state.app, NavItem("casework.index", _l("Cases"), Permission.CASE_VIEW, 10))
    register_nav_item(
        state.app, NavItem("casework.register", _l("Register"), Permission.CASE_CREATE, 11)
    )
    state.app.jinja_env.globals["vocabulary_label"] = label
    state.app.jinja_env.globals["vocab"] = vocabulary
    demo.init_app(state.app)


def load_case(case_id: uuid.UUID, *, edit: bool = False) -> Case:
    """The case, or 404; 403 (audited) when outside the actor's scope."""
    case = get_session().get(Case, case_id)
    if case is None:
        abort(404)
    actor = require_actor()
    if edit:
        policy.authorize_edit_case(actor, case)
    else:
        policy.authorize_view_case(actor, case)
    return case


def _filters() -> services.CaseFilters:
    def pick(name: str, allowed: list[str]) -> str | None:
        value = request.args.get(name) or None
        return value if value in allowed else None

    assigned = request.args.get("assigned")
    try:
        assigned_id = uuid.UUID(assigned) if assigned else None
    except ValueError:
        assigned_id = None
    return services.CaseFilters(
        stage=pick("stage", [s.value for s in Stage]),
        case_type=pick("type", [t.value for t in CaseType]),
        vulnerability=pick("vulnerability", [v.value for v in Vulnerability]),
        risk_level=pick("risk", [r.value for r in RiskLevel]),
        assigned_to_id=assigned_id,
        mine_only=request.args.get("mine") == "1",
    )


@blueprint.get("/")
@require(Permission.CASE_VIEW)
def index() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    filters = _filters()
    page = services.list_cases(db, actor, filters, request.args.get("after"))
    names = services.user_names(db, {c.assigned_to_id for c in page.cases})
    args = {
        k: v
        for k, v in request.args.items()
        if k in {"stage", "type", "vulnerability", "risk", "assigned", "mine"}
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
        vulnerabilities=choices(Vulnerability),
        risks=choices(RiskLevel),
        colleagues=services.assignable_users(db, actor) if actor.role is Role.SUPERVISOR else [],
    )


@blueprint.post("/search")
@require(Permission.PERSON_SEARCH)
def search() -> ResponseReturnValue:
    """Search by POST so names and document numbers never appear in addresses or logs."""
    db = get_session()
    actor = require_actor()
    form = SearchForm()
    results: list[Case] | None = None
    if form.validate_on_submit():
        term: str | date = (form.term.data or "").strip()
        if form.kind.data == "date_of_birth":
            try:
                term = date.fromisoformat(str(term))
            except ValueError:
                form.term.errors = [_("Write the date as YYYY-MM-DD, e.g. 1994-03-15.")]
        if not form.term.errors:
            try:
                results = services.search_cases(db, actor, form.kind.data or "name", term)
            except SearchTooBroadError:
                form.term.errors = [
                    _("Too many people match. Add a family name or another detail.")
                ]
    names = services.user_names(db, {c.assigned_to_id for c in results or []})
    return render_template("casework/search.html", form=form, results=results, names=names)


def _details(
    form: RegistrationForm,
) -> tuple[services.PersonDetails, list[services.DocumentDetails], services.CaseDetails]:
    def split(text: str | None) -> list[str]:
        return [part.strip() for part in (text or "").split(",") if part.strip()]

    address = {
        k: v
        for k, v in {
            "country": (form.address_country.data or "").upper(),
            "region": form.address_region.data or "",
            "locality": form.address_locality.data or "",
        }.items()
        if v
    }
    person = services.PersonDetails(
        name_original=(form.name_original.data or "").strip(),
        name_latin=(form.name_latin.data or "").strip() or None,
        aliases=split(form.aliases.data),
        date_of_birth=form.date_of_birth.data,
        estimated_birth_year=form.estimated_birth_year.data,
        sex=form.sex.data or None,
        nationality=(form.nationality.data or "").upper() or None,
        languages=split(form.languages.data),
        phone=(form.phone.data or "").strip() or None,
        address=address,
    )
    documents = []
    if form.document_number.data:
        documents.append(
            services.DocumentDetails(
                document_type=form.document_type.data or "other",
                number=form.document_number.data.strip(),
                issuing_country=(form.document_country.data or "").upper() or None,
                expiry_date=form.document_expiry.data,
            )
        )
    case = services.CaseDetails(
        case_type=CaseType(form.case_type.data),
        event_date=form.event_date.data,
        place=(form.place.data or "").strip() or None,
        referring_source=(form.referring_source.data or "").strip() or None,
        vulnerabilities=[Vulnerability(v) for v in form.vulnerabilities.data or []],
        risk_level=form.risk_level.data or None,
    )
    return person, documents, case


@blueprint.route("/new", methods=["GET", "POST"])
@require(Permission.CASE_CREATE)
def register() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    form = RegistrationForm()
    duplicates = None
    if form.validate_on_submit():
        person, documents, case_details = _details(form)
        duplicates = services.find_possible_duplicates(db, actor, person, documents)
        if not duplicates.found or form.not_a_duplicate.data:
            try:
                case = services.register_case(db, actor, person, documents, case_details)
            except services.CaseworkError as exc:
                field = getattr(form, exc.field, None) if exc.field else None
                if field is not None:
                    field.errors = [*field.errors, _(str(exc.message))]
                else:
                    flash(_(str(exc.message)), "error")
            else:
                flash(_("Case %(number)s registered.", number=case.case_number), "success")
                return redirect(url_for("casework.case", case_id=case.id))
        elif duplicates.found:
            flash(
                _("This person may be registered already. Check the possible matches below."),
                "warning",
            )
    return render_template("casework/register.html", form=form, duplicates=duplicates)


@blueprint.get("/<uuid:case_id>")
@require(Permission.CASE_VIEW)
def case(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    record = load_case(case_id)
    services.record_case_view(db, actor, record)
    assign_form = None
    if actor.role is Role.SUPERVISOR:
        assign_form = AssignForm()
        assign_form.assignee.choices = [
            (str(u.id), u.display_name) for u in services.assignable_users(db, actor)
        ]
        assign_form.assignee.data = str(record.assigned_to_id) if record.assigned_to_id else None
    names = services.user_names(db, {record.assigned_to_id, *(n.author_id for n in record.notes)})
    return render_template(
        "casework/case.html",
        case=record,
        person=record.person,
        names=names,
        note_form=NoteForm(),
        assign_form=assign_form,
        panels=case_panels(record, actor),
        print_view=request.args.get("print") == "1",
    )


@blueprint.post("/<uuid:case_id>/notes")
@require(Permission.CASE_EDIT)
def add_note(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    record = load_case(case_id, edit=True)
    form = NoteForm()
    if form.validate_on_submit():
        corrects = request.form.get("corrects")
        try:
            corrects_id = uuid.UUID(corrects) if corrects else None
            services.add_note(db, require_actor(), record, form.body.data or "", corrects_id)
        except ValueError as exc:
            message = (
                exc.message
                if isinstance(exc, services.CaseworkError)
                else _l("The note to correct is not on this case.")
            )
            flash(_(str(message)), "error")
            return redirect(url_for("casework.case", case_id=record.id, _anchor="notes"))
        flash(_("Note added."), "success")
    else:
        flash(_("Write something before saving the note (at most 20,000 characters)."), "error")
    return redirect(url_for("casework.case", case_id=record.id, _anchor="notes"))


@blueprint.post("/<uuid:case_id>/assign")
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
        (str(u.id), u.display_name) for u in services.assignable_users(db, actor)
    ]
    if form.validate_on_submit():
        try:
            services.assign_case(db, actor, record, uuid.UUID(form.assignee.data or ""))
        except (services.CaseworkError, ValueError):
            flash(_("Choose an active caseworker of this organisation."), "error")
        else:
            flash(_("Case assigned."), "success")
    else:
        flash(_("Choose an active caseworker of this organisation."), "error")
    return redirect(url_for("casework.case", case_id=record.id))
