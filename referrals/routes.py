"""Referral pages: making a referral from a case, the referrer's view with the provider's
feedback, the provider inbox and the provider's view with its answers.

Routes validate forms, load objects and ask ``referrals.policy``; the changes live in
``referrals.services``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from auth.models import Organisation
from auth.queries import user_names
from casework.consent.models import LegalBasisRecord
from casework.consent.vocabulary import LegalBasis
from casework.consent.vocabulary import label as basis_label
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.planning.models import PlanAction
from casework.services import CaseworkError
from casework.vocabulary import Stage
from core.config import current_settings
from core.db import get_session
from core.extensions import NavItem, isolate_text
from core.forms import field_error, parse_uuid
from core.i18n.dates import format_local_date
from core.permissions import Permission
from core.security import Actor, deny, require, require_actor
from referrals import (
    choosing,
    plan_actions,
    policy,
    reading,
    sending,
    services,
    sharing,
)
from referrals.directory.models import Service
from referrals.directory.services import ServiceFilters, referral_providers, search_services
from referrals.followup import queries as followup_queries
from referrals.forms import (
    CancelForm,
    MarkActionDoneForm,
    ReferralForm,
    ServiceFilterForm,
)
from referrals.loading import load_referral
from referrals.models import Referral
from referrals.vocabulary import Urgency

# -- extension points (connected by referrals.init_app) --------------------------------------


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    services.expire_due_for_case(db, case.id)
    referrals = reading.referrals_of_case(db, case)
    return {
        "referrals": referrals,
        "to_mark_done": {r.id for r in referrals if _action_to_offer(actor, case, r) is not None},
        "can_send": actor.can(Permission.REFERRAL_SEND),
        "late": {r.id: reading.is_late(r) for r in referrals},
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the case's referrals."""
    return CasePanel(
        "referrals",
        "referrals/_panel.html",
        40,
        panel_context(case, actor),
        anchor="referrals",
        title=_("Referrals"),
    )


# -- making a referral ------------------------------------------------------------------------


def _case_for_referral(case_id: uuid.UUID) -> Case:
    """The case, editable by the actor in their own right: an emergency access lets someone
    read a case, not send its person's data to a provider (nor could they follow it up)."""
    case = load_case(case_id, edit=True)
    actor = require_actor()
    if not policy.may_refer(actor, case):
        deny(
            Permission.REFERRAL_SEND,
            "emergency_access_only",
            object_type="case",
            object_id=case.id,
            case_id=case.id,
        )
    return case


def _action_label(action: PlanAction) -> str:
    what = (action.description or "").strip().splitlines()[0] if action.description else ""
    short = what if len(what) <= 60 else what[:59] + "…"
    return _("%(what)s (due %(date)s)", what=short, date=format_local_date(action.due_on))


@require(Permission.REFERRAL_SEND)
def choose_service(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = _case_for_referral(case_id)
    record_page_view(case, "referral_services")
    form = ServiceFilterForm(request.args)
    form.provider.choices = [
        ("", _("Any provider")),
        *((str(o.id), o.name) for o in referral_providers(db)),
    ]
    if not form.validate():
        return render_template(
            "referrals/choose_service.html", case=case, form=form, services=[]
        ), 400
    filters = ServiceFilters(
        kind=form.kind.data or None,
        area=(form.area.data or "").strip() or None,
        language=(form.language.data or "").strip() or None,
        organization_id=parse_uuid(form.provider.data),
        only_referable=True,
    )
    found = choosing.fits(db, case, search_services(db, filters))
    return render_template("referrals/choose_service.html", case=case, form=form, services=found)


def _basis_choices(bases: list[LegalBasisRecord]) -> list[tuple[str, str]]:
    def text(b: LegalBasisRecord) -> str:
        kind = str(basis_label(b.basis, LegalBasis))
        when = b.given_on.isoformat() if b.given_on else b.recorded_at.date().isoformat()
        return _("%(basis)s, recorded %(when)s", basis=kind, when=when)

    return [(str(b.id), text(b)) for b in bases]


def _details(form: ReferralForm) -> sending.ReferralDetails:
    try:
        urgency = Urgency(form.urgency.data)
    except ValueError:
        urgency = Urgency.ROUTINE
    return sending.ReferralDetails(
        urgency=urgency,
        reason=form.reason.data or "",
        legal_basis_id=parse_uuid(form.legal_basis.data),
        justification=form.justification.data,
        fields=list(form.fields.data or []),
        referrer_contact=form.referrer_contact.data,
        respond_by=form.respond_by.data,
        plan_action_id=parse_uuid(form.plan_action.data),
    )


def _referral_page(
    case_id: uuid.UUID, service_id: uuid.UUID
) -> tuple[Case, Service, ReferralForm, dict[str, Any]]:
    """The case, the service, the referral form with its choices (prefilled on GET) and the
    page's context; 404 for a service that cannot receive referrals."""
    db = get_session()
    actor = require_actor()
    case = _case_for_referral(case_id)
    service = db.get(Service, service_id)
    if service is None or not sending.is_referable(service):
        abort(404)
    record_page_view(case, "referral_new")
    bases = sending.eligible_bases(db, case, service)
    actions = sending.plan_actions(db, case)
    form = ReferralForm()
    form.legal_basis.choices = _basis_choices(bases)
    form.plan_action.choices = [("", _("None")), *((str(a.id), _action_label(a)) for a in actions)]
    if request.method == "GET":
        wanted = parse_uuid(request.args.get("action"))
        if any(a.id == wanted for a in actions):
            form.plan_action.data = str(wanted)
        form.fields.data = sharing.default_codes(service.type_codes)
        form.referrer_contact.data = sending.referrer_contact_default(db, actor)
        if len(bases) == 1:
            form.legal_basis.data = str(bases[0].id)
    context: dict[str, Any] = {
        "case": case,
        "service": service,
        "form": form,
        "bases": bases,
        "hours": {u.value: current_settings().referrals.respond_hours(u.name) for u in Urgency},
    }
    return case, service, form, context


@require(Permission.REFERRAL_SEND)
def new(case_id: uuid.UUID, service_id: uuid.UUID) -> ResponseReturnValue:
    """The referral form: empty, or (posted back from the preview) as it was, to change."""
    _case, _service, _form, context = _referral_page(case_id, service_id)
    return render_template("referrals/new.html", **context)


@require(Permission.REFERRAL_SEND)
def preview(case_id: uuid.UUID, service_id: uuid.UUID) -> ResponseReturnValue:
    case, service, form, context = _referral_page(case_id, service_id)
    if form.validate_on_submit():
        details = _details(form)
        try:
            shown = sending.preview(
                get_session(), require_actor(), case, service, details, current_settings().referrals
            )
        except services.ReferralError as exc:
            field_error(form, exc)
        else:
            return render_template(
                "referrals/preview.html",
                **context,
                preview=shown.shared,
                details=details,
                respond_by=shown.respond_by,
            )
    return render_template("referrals/new.html", **context), 400


@require(Permission.REFERRAL_SEND)
def send(case_id: uuid.UUID, service_id: uuid.UUID) -> ResponseReturnValue:
    case, service, form, context = _referral_page(case_id, service_id)
    if form.validate_on_submit():
        try:
            referral = sending.send_referral(
                get_session(),
                require_actor(),
                case,
                service,
                _details(form),
                current_settings().referrals,
            )
        except services.ReferralError as exc:
            field_error(form, exc)
        else:
            flash(
                _("Referral %(reference)s sent.", reference=isolate_text(referral.reference)),
                "success",
            )
            return redirect(url_for("referrals.case_view", referral_id=referral.id))
    return render_template("referrals/new.html", **context), 400


# -- the referring side -----------------------------------------------------------------------


@require(Permission.REFERRAL_SEND)
def case_view(referral_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    referral, case = load_referral(referral_id)
    reading.record_view(db, actor, referral)
    offered = _action_to_offer(actor, case, referral)
    names = user_names(
        db,
        {referral.referrer_id, referral.answered_by_id, referral.cancelled_by_id}
        | {e.actor_id for e in referral.events},
    )
    return render_template(
        "referrals/case_view.html",
        referral=referral,
        case=case,
        names=names,
        shared=sharing.shared_values(referral.shared_codes, case.person, case),
        can_cancel=policy.can_cancel(actor, referral, case),
        provider=db.get(Organisation, referral.provider_organisation_id),
        action_to_mark=offered,
        action_title=plan_actions.action_title(offered) if offered else "",
    )


def _action_to_offer(actor: Actor, case: Case, referral: Referral) -> PlanAction | None:
    """The plan action to offer marking done, for those who may edit the case (open, and its
    person's data not erased)."""
    editable = case.stage != Stage.CLOSED.value and case.person.erased_at is None
    if not (editable and actor.can(Permission.CASE_EDIT) and policy.may_refer(actor, case)):
        return None
    return plan_actions.action_to_mark_done(get_session(), case, referral)


@require(Permission.REFERRAL_SEND)
def mark_action_done(referral_id: uuid.UUID) -> ResponseReturnValue:
    """The caseworker confirms that the plan action a completed referral carried out is done."""
    db = get_session()
    actor = require_actor()
    referral, case = load_referral(referral_id)
    case = _case_for_referral(case.id)  # the case's edit policy: 403 audited, closed: 409
    back = redirect(url_for("referrals.case_view", referral_id=referral.id))
    form = MarkActionDoneForm()
    offered = plan_actions.action_to_mark_done(db, case, referral)
    if not form.validate_on_submit() or offered is None or form.action.data != str(offered.id):
        flash(_("There is no open plan action to mark done for this referral."), "error")
        return back
    try:
        plan_actions.mark_action_done(db, actor, case, referral, form.seen.data or "")
    except (services.ReferralError, CaseworkError) as exc:
        flash(_(str(exc.message)), "error")
        return back
    flash(_("Status updated."), "success")
    return back


@require(Permission.REFERRAL_SEND)
def cancel(referral_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    referral, case = load_referral(referral_id)
    if not policy.authorize_cancel(actor, referral, case):
        flash(_("This referral can no longer be cancelled."), "error")
        return redirect(url_for("referrals.case_view", referral_id=referral.id))
    form = CancelForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.cancel(db, actor, referral, form.reason.data)
            except services.ReferralConflict as exc:
                flash(_(str(exc.message)), "error")
                return redirect(url_for("referrals.case_view", referral_id=referral.id))
            except services.ReferralError as exc:
                field_error(form, exc)
            else:
                flash(_("Referral cancelled. The provider no longer sees its details."), "success")
                return redirect(url_for("referrals.case_view", referral_id=referral.id))
        return render_template(
            "referrals/cancel.html", referral=referral, case=case, form=form
        ), 400
    return render_template("referrals/cancel.html", referral=referral, case=case, form=form)


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the provider inbox with its count."""
    return [
        NavItem(
            "referrals.inbox",
            _l("Referral inbox"),
            Permission.REFERRAL_RESPOND,
            20,
            count=followup_queries.inbox_count,
        ),
    ]
