"""The person's feedback pages: the case team's survey about a referral, the provider's survey
(from its referral page), the survey at closure, and the case-page panel.

Routes load through the referral and case loaders (404 or 403, audited), ask
``referrals.feedback.policy`` and call ``referrals.feedback.services``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from auth.queries import user_names
from casework.loading import READS, load_case, record_page_view
from casework.models import Case
from casework.panels import CasePanel
from core.clock import utcnow
from core.db import get_session
from core.extensions import isolate_text
from core.forms import field_error
from core.permissions import Permission
from core.security import Actor, deny, require, require_actor
from referrals import reading
from referrals.feedback import policy, queries, services
from referrals.feedback.forms import CaseTeamSurveyForm, SurveyForm
from referrals.feedback.models import PersonFeedback
from referrals.feedback.vocabulary import Respondent
from referrals.loading import load_referral
from referrals.models import Referral

# -- the case-page panel (connected by referrals.feedback.init_app) ----------------------------


def panel_context(case: Case, actor: Actor) -> dict[str, Any]:
    db = get_session()
    shown = queries.of_case(db, actor, case)
    queries.record_views(db, actor, shown, case.id, "case")
    editable = case.person.erased_at is None and policy.is_case_team(actor, case)
    referrals = reading.referrals_of_case(db, case) if editable else []
    closure_done = any(f.referral_id is None for f in shown)
    return {
        "surveys": shown,
        "to_ask": [a for a in queries.referrals_to_ask(referrals, shown) if a.open_respondents],
        "closure_offered": not closure_done and policy.may_record_at_closure(actor, case),
        "references": {r.id: r.reference for r in referrals},
        "names": user_names(db, {f.recorded_by_id for f in shown}),
    }


def case_panel(case: Case, actor: Actor, **_extra: object) -> CasePanel:
    """Receiver of ``casework.signals.case_panels_collecting``: the person's feedback."""
    return CasePanel(
        "person_feedback",
        "referrals/feedback/_panel.html",
        75,
        panel_context(case, actor),
        anchor="feedback",
        title=_("The person's feedback"),
    )


def cell_text(cell: queries.Cell, minimum: int, kind: str) -> str:
    """A figures cell: a dash without answers, "<5" below the minimum, else the value."""
    if cell.answers == 0 or cell.value is None:
        return "–"
    if cell.answers < minimum:
        return "<" + format_decimal(minimum)
    if kind == "share":
        return str(format_percent(cell.value))
    return str(format_decimal(cell.value, format="#,##0.0"))


# -- shared steps --------------------------------------------------------------------------------


def _today_default(form: SurveyForm) -> None:
    if request.method == "GET" and form.recorded_on.data is None:
        form.recorded_on.data = utcnow().date()


def _save(
    form: SurveyForm,
    case: Case,
    respondent: Respondent | None,
    referral: Referral | None,
) -> PersonFeedback | None:
    """Validate and record; None (the errors on the form) when it cannot be recorded."""
    if request.method != "POST" or not form.validate_on_submit() or respondent is None:
        return None
    try:
        return services.record_feedback(
            get_session(),
            require_actor(),
            case,
            form.answers(),
            respondent=respondent,
            referral=referral,
        )
    except services.FeedbackError as exc:
        field_error(form, exc)
    return None


def _respondent(form: CaseTeamSurveyForm) -> Respondent | None:
    try:
        return Respondent(form.respondent.data)
    except ValueError:
        return None


def _page(template: str, status: int, **context: Any) -> ResponseReturnValue:
    db = get_session()
    shown: list[PersonFeedback] = context["surveys"]
    context["names"] = user_names(db, {f.recorded_by_id for f in shown})
    return render_template(template, **context), status


# -- the case team, about a referral -------------------------------------------------------------


def _post_about_referral(
    form: CaseTeamSurveyForm, referral: Referral, case: Case, done: set[str]
) -> ResponseReturnValue | int:
    """Record the case team's survey: a redirect when done, else the page's status."""
    actor = require_actor()
    respondent = _respondent(form)
    if respondent is not None and respondent.value in done:
        flash(_(str(services.FeedbackRecorded.MESSAGE)), "error")
        return redirect(url_for(".about_referral", referral_id=referral.id), 303)
    if not policy.service_received(referral):
        return 409
    if respondent is not None and not policy.may_record_about_referral(
        actor, referral, case, respondent
    ):
        deny(
            Permission.CASE_EDIT,
            "not_case_team_respondent",
            object_type="referral",
            object_id=referral.id,
            case_id=case.id,
        )
    try:
        saved = _save(form, case, respondent, referral)
    except services.FeedbackRecorded as exc:
        flash(_(str(exc.message)), "error")
        return redirect(url_for(".about_referral", referral_id=referral.id), 303)
    if saved is None:
        return 400
    flash(_("The person's feedback is recorded."), "success")
    return redirect(url_for("casework.case", case_id=case.id, _anchor="feedback"), 303)


@require(Permission.REFERRAL_SEND)
def about_referral(referral_id: uuid.UUID) -> ResponseReturnValue:
    """The case team records the person's answers about a referral they received service from."""
    db = get_session()
    actor = require_actor()
    referral, case = load_referral(referral_id)
    if case.person.erased_at is not None:
        abort(410)
    record_page_view(case, "referral_feedback")
    shown = queries.of_referral(db, actor, referral)
    if request.method in READS:
        queries.record_views(db, actor, shown, case.id, "referral")
    done = {f.respondent for f in shown}
    left = tuple(r.value for r in policy.CASE_TEAM_RESPONDENTS if r.value not in done)
    form = CaseTeamSurveyForm().offer(left)
    if request.method == "GET" and left:
        form.respondent.data = left[0]
    _today_default(form)
    status = 200
    if request.method == "POST":
        outcome = _post_about_referral(form, referral, case, done)
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    return _page(
        "referrals/feedback/about_referral.html",
        status,
        referral=referral,
        case=case,
        form=form,
        surveys=shown,
        open=bool(left) and policy.service_received(referral),
    )


# -- the provider --------------------------------------------------------------------------------


@require(Permission.REFERRAL_RESPOND)
def provider_survey(referral_id: uuid.UUID) -> ResponseReturnValue:
    """Provider staff record the person's feedback on the service they gave."""
    db = get_session()
    actor = require_actor()
    referral, case = load_referral(referral_id, provider=True)
    erased = case.person.erased_at is not None
    if erased and request.method == "POST":
        abort(410)
    shown = queries.of_referral(db, actor, referral)
    if request.method in READS:
        reading.record_view(db, actor, referral)
        queries.record_views(db, actor, shown, case.id, "provider")
    may = not shown and policy.may_record_about_referral(actor, referral, case, Respondent.PROVIDER)
    form = SurveyForm()
    _today_default(form)
    status = 200
    if request.method == "POST":
        if shown:
            flash(_(str(services.FeedbackRecorded.MESSAGE)), "error")
            return redirect(url_for(".provider_survey", referral_id=referral.id), 303)
        try:
            saved = _save(form, case, Respondent.PROVIDER if may else None, referral)
        except services.FeedbackRecorded as exc:
            flash(_(str(exc.message)), "error")
            return redirect(url_for(".provider_survey", referral_id=referral.id), 303)
        if saved is not None:
            flash(
                _("Feedback on %(ref)s is recorded.", ref=isolate_text(referral.reference)),
                "success",
            )
            return redirect(url_for("referrals.view", referral_id=referral.id), 303)
        status = 400 if may else 409
    return _page(
        "referrals/feedback/provider.html",
        status,
        referral=referral,
        form=form,
        surveys=shown,
        open=may,
        erased=erased,
        received=policy.service_received(referral),
    )


# -- at closure ----------------------------------------------------------------------------------


@require(Permission.CASE_EDIT)
def at_closure(case_id: uuid.UUID) -> ResponseReturnValue:
    """The survey about the whole support, offered once the case is closed."""
    db = get_session()
    actor = require_actor()
    case = load_case(case_id)
    record_page_view(case, "closure_feedback")
    shown = [f for f in queries.of_case(db, actor, case) if f.referral_id is None]
    if request.method in READS:
        queries.record_views(db, actor, shown, case.id, "closure")
    may = not shown and policy.may_record_at_closure(actor, case)
    form = CaseTeamSurveyForm().offer(tuple(r.value for r in policy.CASE_TEAM_RESPONDENTS))
    form.at_closure()
    if request.method == "GET":
        form.respondent.data = policy.CASE_TEAM_RESPONDENTS[0].value
    _today_default(form)
    status = 200
    if request.method == "POST":
        try:
            saved = _save(form, case, _respondent(form) if may else None, None)
        except services.FeedbackRecorded as exc:
            flash(_(str(exc.message)), "error")
            return redirect(url_for(".at_closure", case_id=case.id), 303)
        if saved is not None:
            flash(_("The person's feedback is recorded."), "success")
            return redirect(url_for("casework.case", case_id=case.id, _anchor="feedback"), 303)
        status = 400 if may else 409
    return _page(
        "referrals/feedback/closure.html", status, case=case, form=form, surveys=shown, open=may
    )
