"""Monitoring pages: record a visit, the visits with their scores; the administrator's survey
weights; the case-page panel and the "follow-up visit due" task source."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from auth.queries import user_names
from casework import stages
from casework.loading import load_case, record_page_view
from casework.models import Case
from casework.monitoring import services, vocabulary
from casework.monitoring.chart import Chart, score_charts
from casework.monitoring.forms import (
    AddIndicatorForm,
    fill_weights,
    survey_sections,
    survey_weights_form,
    visit_form,
)
from casework.monitoring.models import MonitoringVisit, SurveyVersion
from casework.monitoring.scoring import asked_order
from casework.monitoring.vocabulary import VisitType
from casework.panels import CasePanel
from casework.services import CaseworkError
from core.db import get_session
from core.extensions import NavItem
from core.forms import field_error
from core.i18n.dates import format_local_date
from core.permissions import Permission
from core.security import Actor, require, require_actor


def _chart_of(found: list[MonitoringVisit]) -> list[Chart]:
    """The scores chart, laid out for a narrow and a wide screen."""
    visits = [(v.visited_on, v.scores or {}) for v in found]
    return score_charts(visits, format_local_date, format_score)


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    found = services.visits(get_session(), case)
    return {
        "visits": found,
        "latest": found[-1] if found else None,
        "chart": _chart_of(found) if found else None,
        "can_visit": stages.is_open(case),
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the monitoring visits."""
    return CasePanel(
        "monitoring",
        "casework/monitoring/_panel.html",
        60,
        panel_context(case, actor),
        anchor="monitoring",
        title=_("Monitoring visits"),
    )


def visit_answers(visit: MonitoringVisit) -> list[tuple[object, object]]:
    """(question, answer) of each answered indicator in the order the form asked them,
    labelled by the visit's survey version."""
    answers = dict(visit.answers or {})
    items = asked_order(visit.survey_version.definition)
    known = {item["code"] for item in items}
    items += [{"code": code} for code in answers if code not in known]
    return [
        (vocabulary.item_label(item), vocabulary.item_answer_label(item, answers[item["code"]]))
        for item in items
        if item["code"] in answers
    ]


def format_score(value: float | None) -> str:
    """A score from 0 to 1 with two decimals in the user's locale; a dash when there is none."""
    return "—" if value is None else format_decimal(value, format="0.00")


@require(Permission.CASE_VIEW)
def history(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id)
    if case.person.erased_at is not None:
        abort(410)
    services.record_history_view(db, require_actor(), case)
    found = services.visits(db, case)
    return render_template(
        "casework/monitoring/history.html",
        case=case,
        visits=found,
        chart=_chart_of(found) if found else None,
        names=user_names(db, {v.recorded_by_id for v in found}),
    )


@require(Permission.CASE_EDIT)
def record(case_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    case = load_case(case_id, edit=True)
    if not stages.is_open(case):
        flash(_("Visits are recorded on open cases only."), "error")
        return redirect(url_for("casework.case", case_id=case.id, _anchor="monitoring"))
    record_page_view(case, "visit_new")
    survey = services.current_survey(db)
    form = visit_form(survey.definition)
    if form.validate_on_submit() and form.visited_on.data is not None:
        details = services.VisitDetails(
            visited_on=form.visited_on.data,
            visit_type=VisitType(form.visit_type.data),
            answers=form.answers(),
            notes=form.notes.data,
        )
        try:
            services.record_visit(db, require_actor(), case, details)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            flash(_("Visit recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="monitoring"))
    sections = survey_sections(form, survey.definition)
    return render_template(
        "casework/monitoring/record.html", case=case, form=form, survey=survey, sections=sections
    )


def _survey_page(
    db: Session, current: SurveyVersion, form: Any, add_form: AddIndicatorForm
) -> ResponseReturnValue:
    versions = services.survey_versions(db)
    return render_template(
        "casework/monitoring/survey.html",
        form=form,
        add_form=add_form,
        current=current,
        versions=versions,
        names=user_names(db, {v.created_by_id for v in versions}),
    )


def _saved(version: SurveyVersion) -> ResponseReturnValue:
    flash(_("Version %(number)s of the survey is in force.", number=version.number), "success")
    return redirect(url_for("casework.survey.index"))


def _stale(exc: CaseworkError) -> ResponseReturnValue:
    flash(_(str(exc.message)), "error")
    return redirect(url_for("casework.survey.index"))


@require(Permission.SETTINGS_MANAGE)
def index() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    current = services.current_survey(db)
    form = survey_weights_form(current.definition)
    add_form = AddIndicatorForm(formdata=None, based_on=str(current.number))
    if not form.is_submitted():
        fill_weights(form, current.definition, current.number)
        services.record_survey_view(db, actor, current)
    elif form.validate_on_submit():
        try:
            version = services.save_survey_weights(
                db,
                actor,
                int(form.based_on.data or 0),
                form.indicator_weights(),
                form.dimension_weights(),
                bool(form.official.data),
            )
        except services.SurveyConflict as exc:
            return _stale(exc)
        except CaseworkError as exc:
            field_error(form, exc)
        else:
            return _saved(version)
    return _survey_page(db, current, form, add_form)


@require(Permission.SETTINGS_MANAGE)
def add_indicator() -> ResponseReturnValue:
    db = get_session()
    current = services.current_survey(db)
    add_form = AddIndicatorForm()
    if add_form.validate_on_submit():
        try:
            version = services.add_survey_indicator(
                db,
                require_actor(),
                int(add_form.based_on.data or 0),
                add_form.dimension.data or "",
                (add_form.question.data or "").strip(),
                add_form.answer_labels(),
            )
        except services.SurveyConflict as exc:
            return _stale(exc)
        except CaseworkError as exc:
            field_error(add_form, exc)
        else:
            return _saved(version)
    form = survey_weights_form(current.definition, formdata=None)
    fill_weights(form, current.definition, current.number)
    return _survey_page(db, current, form, add_form)


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the survey weights."""
    return [
        NavItem("casework.survey.index", _l("Survey weights"), Permission.SETTINGS_MANAGE, 48),
    ]
