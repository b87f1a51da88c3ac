"""Consent pages: record a legal basis, see the history, withdraw; the case-page panel."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.queries import user_names
from casework.consent import queries, services
from casework.consent.dependencies import dependents_of
from casework.consent.forms import LegalBasisForm, WithdrawForm
from casework.consent.vocabulary import ChildAssent, ConsentMethod, GivenBy, LegalBasis
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.services import CaseworkError
from casework.signals import guardians_asking
from core.clock import utcnow
from core.db import get_session
from core.forms import field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor
from core.signals import collect


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    history = services.legal_bases(db, case)
    return {
        "active": [b for b in history if b.active],
        "withdrawn": [b for b in history if not b.active],
        "dependents": {b.id: dependents_of(db, b) for b in history},
        "organisations": services.organisation_names(db, history),
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the legal bases."""
    return CasePanel(
        "consent",
        "casework/consent/_panel.html",
        30,
        panel_context(case, actor),
        anchor="consent",
        title=_("Consent and legal basis"),
    )


def _organisation_choices() -> list[tuple[str, str]]:
    return [(str(o.id), o.name) for o in services.provider_organisations(get_session())]


def _details(form: LegalBasisForm) -> services.LegalBasisDetails:
    def enum_or_none(enum: Any, value: str | None) -> Any:
        return enum(value) if value else None

    return services.LegalBasisDetails(
        basis=LegalBasis(form.basis.data),
        purpose=form.purpose.data,
        justification=form.justification.data,
        given_by=enum_or_none(GivenBy, form.given_by.data),
        guardian_name=form.guardian_choice.data or form.guardian_name.data,
        child_assent=enum_or_none(ChildAssent, form.child_assent.data),
        method=enum_or_none(ConsentMethod, form.method.data),
        given_on=form.given_on.data,
        any_provider=bool(form.any_provider.data),
        organisation_ids=[uuid.UUID(o) for o in form.organisations.data or []],
        service_types=[str(s) for s in form.service_types.data or []],
    )


def _offer_household_guardians(form: LegalBasisForm, case: Case) -> None:
    """The parents or guardians of the child's household (``guardians_asking``), offered as
    the guardian; the first is proposed on a new form."""
    answers = collect(guardians_asking, case, list, session=get_session(), actor=require_actor())
    people = [(name, relationship) for answer in answers for name, relationship in answer]
    form.guardian_choice.choices = [("", "—"), *((n, f"{n} ({r})") for n, r in people)]
    if people and form.child is not False and not form.is_submitted():
        form.guardian_choice.data = people[0][0]


@require(Permission.CASE_VIEW)
def history(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    services.record_history_view(db, require_actor(), case)
    bases = services.legal_bases(db, case)
    people: set[uuid.UUID | None] = {b.recorded_by_id for b in bases}
    names = user_names(db, people | {b.withdrawn_by_id for b in bases})
    return render_template(
        "casework/consent/history.html",
        case=case,
        bases=bases,
        names=names,
        organisations=services.organisation_names(db, bases),
        dependents={b.id: dependents_of(db, b) for b in bases},
    )


@require(Permission.CASE_EDIT)
def record(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    record_page_view(case, "consent_new")
    form = LegalBasisForm()
    form.organisations.choices = _organisation_choices()
    form.child = queries.is_child(case, utcnow().date())
    _offer_household_guardians(form, case)
    if form.validate_on_submit():
        try:
            services.record_legal_basis(db, require_actor(), case, _details(form))
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Legal basis recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="consent"))
    return render_template("casework/consent/record.html", case=case, form=form)


@require(Permission.CASE_EDIT)
def withdraw(case_id: uuid.UUID, basis_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    basis = services.get_legal_basis(db, case, basis_id)
    if basis is None:
        abort(404)
    record_page_view(case, "consent_withdrawal")
    form = WithdrawForm()
    if basis.active and form.validate_on_submit():
        try:
            services.withdraw_legal_basis(db, require_actor(), case, basis, form.reason.data or "")
        except CaseworkError as exc:
            form.reason.errors = [*form.reason.errors, _(str(exc.message))]
        else:
            flash(_("Withdrawn. It no longer covers anything from now on."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="consent"))
    return render_template(
        "casework/consent/withdraw.html",
        case=case,
        basis=basis,
        form=form,
        dependents=dependents_of(db, basis),
    )
