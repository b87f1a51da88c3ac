"""Follow-through pages: my referrals, overdue referrals of my organisation, provider figures."""

from __future__ import annotations

import uuid

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import record
from core.config import current_settings
from core.db import get_session
from core.extensions import NavItem, isolate_text
from core.forms import ConfirmForm
from core.i18n.names import current_locale
from core.permissions import Permission, Role
from core.security import Actor, conceal, deny, require, require_actor, safe_next
from referrals import figures
from referrals.feedback import queries as feedback_queries
from referrals.feedback import vocabulary as feedback_vocabulary
from referrals.followup import queries, services
from referrals.followup.forms import MyReferralsFilterForm, OverdueFilterForm, PeriodForm
from referrals.models import Referral
from referrals.vocabulary import ReferralState, Urgency, label


def _labels() -> dict[str, object]:
    return {
        "state": lambda v: label(v, ReferralState),
        "urgency": lambda v: label(v, Urgency),
    }


@require(Permission.REFERRAL_SEND)
def mine() -> ResponseReturnValue:
    """Every referral I sent, newest first, with overdue markers and filters."""
    actor = require_actor()
    form = MyReferralsFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("referrals/followup/mine.html", form=form, rows=None), 400
    settings = current_settings().referrals
    after = request.args.get("after")
    page = queries.my_referrals(get_session(), actor, form.filters(), settings, after)
    return render_template(
        "referrals/followup/mine.html",
        form=form,
        rows=page.rows,
        next_cursor=page.next_cursor,
        args={k: v for k, v in request.args.items() if k in form.data and v},
        filtered=form.filters().active,
        is_supervisor=actor.role is Role.SUPERVISOR,
        **_labels(),
    )


def _load_for_follow_up(actor: Actor, referral_id: uuid.UUID) -> Referral:
    """The referral if the actor sent it (or supervises its organisation); else 404, audited."""
    referral = get_session().get(Referral, referral_id)
    if referral is None or not queries.may_follow_up(actor, referral):
        conceal(
            Permission.REFERRAL_SEND,
            "not_in_scope",
            object_type="referral",
            object_id=referral_id,
        )
    return referral


@require(Permission.REFERRAL_SEND)
def acknowledge(referral_id: uuid.UUID) -> ResponseReturnValue:
    """The referrer has seen that a referral expired (and referred elsewhere, or decided not to)."""
    actor = require_actor()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    referral = _load_for_follow_up(actor, referral_id)
    back = safe_next(request.args.get("next"), url_for(".mine"))
    try:
        services.acknowledge_expired(get_session(), actor, referral)
    except services.FollowupError:
        flash(_("Only an expired referral can be marked as dealt with."), "error")
        return redirect(back, 303)
    flash(
        _("Referral %(ref)s is marked as dealt with.", ref=isolate_text(referral.reference)),
        "success",
    )
    return redirect(back, 303)


@require(Permission.REFERRAL_REPORT)
def organisation_overdue() -> ResponseReturnValue:
    """Supervisors: the overdue referrals of their organisation, escalated ones marked."""
    actor = require_actor()
    if actor.role is not Role.SUPERVISOR:
        deny(Permission.REFERRAL_REPORT, "role")
    form = OverdueFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("referrals/followup/overdue.html", form=form, rows=None), 400
    settings = current_settings().referrals
    rows = queries.organisation_overdue(get_session(), actor, form.filters(), settings)
    return render_template(
        "referrals/followup/overdue.html",
        form=form,
        rows=rows,
        filtered=form.filters().active,
        days=settings.escalation_days,
        **_labels(),
    )


@require(Permission.REFERRAL_REPORT)
def figures_page() -> ResponseReturnValue:
    """Per-provider figures: a supervisor sees their organisation's referrals, an
    administrator everyone's."""
    actor = require_actor()
    form = PeriodForm(request.args)
    if request.args and not form.validate():
        return render_template(
            "referrals/followup/figures.html", form=form, table=None, feedback=None, areas=None
        ), 400
    scope = None if actor.role is Role.ADMINISTRATOR else actor.organisation_id
    period = figures.Period(form.date_from.data, form.date_to.data)
    by_service = bool(form.by_service.data)
    table = figures.provider_figures(
        get_session(), period, referring_organisation_id=scope, by_service=by_service
    )
    feedback = feedback_queries.feedback_figures(get_session(), period, scope)
    areas = figures.area_figures(get_session(), period, scope, str(current_locale()))
    record(
        get_session(),
        "referral_figures.viewed",
        actor=actor,
        object_type="referral",
        details={
            "providers": len(table),
            "referrals": sum(f.total for f in table),
            "scope": "all" if scope is None else "organisation",
            "by_service": by_service,
        },
    )
    return render_template(
        "referrals/followup/figures.html",
        form=form,
        table=table,
        feedback=feedback,
        areas=areas,
        # One threshold for every published count (HOMEWARD_SMALL_CELL_THRESHOLD).
        small_count=current_settings().reports.small_cell_threshold,
        min_answers=current_settings().reports.small_cell_threshold,
        questions=feedback_vocabulary.HEADINGS,
        by_service=by_service,
        states=figures.STATE_HEADINGS,
        percent=lambda r: "–" if r is None else format_percent(r),
        hours=lambda h: "–" if h is None else format_decimal(h, format="#,##0.0"),
        **_labels(),
    )


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: my referrals and the figures."""
    return [
        NavItem(
            "referral_followup.mine",
            _l("My referrals"),
            Permission.REFERRAL_SEND,
            22,
            count=queries.my_referrals_count,
        ),
        NavItem(
            "referral_followup.figures", _l("Referral figures"), Permission.REFERRAL_REPORT, 70
        ),
    ]
