"""Assessment pages: record one, the history, one assessment."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth.queries import user_names
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.planning import assessments as assessing
from casework.planning import services
from casework.planning.forms import AssessmentForm
from casework.planning.vocabulary import Dimension
from casework.services import CaseworkError
from casework.vocabulary import RiskLevel
from core.db import get_session
from core.forms import field_error
from core.permissions import Permission
from core.security import require, require_actor


def _readable(case: Case) -> Case:
    """410 once the person's data was erased: their assessments no longer decrypt."""
    if case.person.erased_at is not None:
        abort(410)
    return case


@require(Permission.CASE_VIEW)
def assessments(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = _readable(load_case(case_id))
    services.record_view(db, require_actor(), case, "assessment.viewed", "case", case.id)
    found = assessing.assessments(db, case)
    return render_template(
        "casework/planning/assessments.html",
        case=case,
        assessments=found,
        names=user_names(db, {a.recorded_by_id for a in found}),
    )


@require(Permission.CASE_VIEW)
def assessment(case_id: uuid.UUID, assessment_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = _readable(load_case(case_id))
    found = assessing.get_assessment(db, case, assessment_id)
    if found is None:
        abort(404)
    services.record_view(db, require_actor(), case, "assessment.viewed", "assessment", found.id)
    latest = assessing.assessments(db, case)[0]
    return render_template(
        "casework/planning/assessment.html",
        case=case,
        assessment=found,
        is_latest=latest.id == found.id,
        names=user_names(db, {found.recorded_by_id}),
    )


@require(Permission.CASE_EDIT)
def record_assessment(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    record_page_view(case, "assessment_new")
    form = AssessmentForm()
    if form.validate_on_submit() and form.assessed_on.data is not None:
        details = assessing.AssessmentDetails(
            assessed_on=form.assessed_on.data,
            overall_risk_level=RiskLevel(form.overall_risk_level.data),
            dimensions={
                d: assessing.DimensionAssessment(
                    risk_level=RiskLevel(getattr(form, f"{d.value}_risk_level").data),
                    needs=getattr(form, f"{d.value}_needs").data,
                    strengths=getattr(form, f"{d.value}_strengths").data,
                    risks=getattr(form, f"{d.value}_risks").data,
                )
                for d in Dimension
            },
        )
        try:
            assessing.record_assessment(db, require_actor(), case, details)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Assessment recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="assessment"))
    return render_template("casework/planning/record_assessment.html", case=case, form=form)
