"""Screening pages: screen for trafficking, start the reflection period; the case-page panel."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.queries import user_names
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from casework.screening import services
from casework.screening.forms import ReflectionForm, ScreeningForm
from casework.screening.vocabulary import (
    DecidingOrganisation,
    ExploitationType,
    IloIndicator,
    MeansOfControl,
    Outcome,
)
from casework.services import CaseworkError
from casework.signals import legal_basis_asking
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.forms import field_error
from core.permissions import Permission
from core.security import Actor, require, require_actor
from core.signals import collect


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    found = services.screenings(db, case)
    periods = services.reflection_periods(db, case)
    period = periods[0] if periods else None
    return {
        "latest": found[0] if found else None,
        "count": len(found),
        "period": period,
        "days_left": (period.ends_on - utcnow().date()).days if period else None,
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: screening and reflection."""
    return CasePanel(
        "screening",
        "casework/screening/_panel.html",
        40,
        panel_context(case, actor),
        anchor="screening",
        title=_("Screening for trafficking"),
    )


@require(Permission.CASE_VIEW)
def history(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    services.record_history_view(db, require_actor(), case)
    found = services.screenings(db, case)
    periods = services.reflection_periods(db, case)
    people: set[uuid.UUID | None] = {s.recorded_by_id for s in found}
    names = user_names(db, people | {p.recorded_by_id for p in periods})
    return render_template(
        "casework/screening/history.html", case=case, screenings=found, periods=periods, names=names
    )


@require(Permission.CASE_EDIT)
def record(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    record_page_view(case, "screening_new")
    form = ScreeningForm()
    if form.validate_on_submit() and form.screened_on.data is not None:
        details = services.ScreeningDetails(
            screened_on=form.screened_on.data,
            outcome=Outcome(form.outcome.data),
            deciding_organisation_type=DecidingOrganisation(form.deciding_organisation_type.data),
            indicators=[IloIndicator(v) for v in form.indicators.data or []],
            means_of_control=[MeansOfControl(v) for v in form.means_of_control.data or []],
            exploitation_types=[ExploitationType(v) for v in form.exploitation_types.data or []],
            notes=form.notes.data,
        )
        try:
            screening = services.record_screening(db, require_actor(), case, details)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Screening recorded."), "success")
            if screening.outcome != Outcome.NOT_A_VICTIM.value and not services.reflection_periods(
                db, case
            ):
                flash(_("There are reasonable grounds: start the reflection period."), "warning")
                return redirect(url_for("casework.screening.reflection", case_id=case.id))
            return redirect(url_for("casework.case", case_id=case.id, _anchor="screening"))
    return render_template(
        "casework/screening/record.html",
        case=case,
        form=form,
        consent_missing=not any(collect(legal_basis_asking, case, bool, session=db)),
    )


@require(Permission.CASE_EDIT)
def reflection(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    record_page_view(case, "reflection_period")
    configured = current_settings().casework.reflection_period_days
    minimum = services.reflection_days(configured)
    form = ReflectionForm()
    if form.days.data is None and not form.is_submitted():
        form.days.data = minimum
    if form.validate_on_submit() and form.starts_on.data is not None:
        try:
            services.start_reflection_period(
                db,
                require_actor(),
                case,
                form.starts_on.data,
                form.days.data,
                configured_days=configured,
            )
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Reflection period recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="screening"))
    return render_template(
        "casework/screening/reflection.html", case=case, form=form, minimum=minimum
    )
