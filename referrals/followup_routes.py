"""Follow-through pages: my referrals, overdue referrals of my organisation, provider figures.

Also connects the e-mail notifications, registers the task sources and the
``homeward referrals figures`` command.
"""

from __future__ import annotations

import uuid

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.cli import AppGroup, with_appcontext
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import record
from casework.tasks import register_task_source
from core.db import current_db, get_session
from core.extensions import NavItem, register_nav_item
from core.forms import ConfirmForm
from core.permissions import Permission, Role
from core.security import Actor, deny, require, require_actor, safe_next
from core.signals import access_denied
from referrals import figures, followup, notifications
from referrals.followup import tasks as followup_tasks
from referrals.followup.forms import MyReferralsFilterForm, OverdueFilterForm, PeriodForm
from referrals.models import Referral
from referrals.vocabulary import ReferralState, Urgency, label

blueprint = Blueprint("referral_followup", __name__, url_prefix="/referrals", cli_group=None)
referrals_cli = AppGroup("referrals", help="Referrals: figures (and the referral commands).")


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    register_nav_item(
        app,
        NavItem(
            "referral_followup.mine",
            _l("My referrals"),
            Permission.REFERRAL_SEND,
            22,
            count=followup.my_referrals_count,
        ),
    )
    register_nav_item(
        app,
        NavItem(
            "referral_followup.figures", _l("Referral figures"), Permission.REFERRAL_REPORT, 70
        ),
    )
    for source in followup_tasks.SOURCES:
        register_task_source(app, source)
    notifications.init_app(app)  # type: ignore[arg-type]
    # Share the "referrals" command group with the referral pages' commands (expire, ...).
    existing = app.cli.commands.get("referrals")
    if isinstance(existing, click.Group):
        existing.add_command(figures_command)
    else:
        app.cli.add_command(referrals_cli)


def _labels() -> dict[str, object]:
    return {
        "state": lambda v: label(v, ReferralState),
        "urgency": lambda v: label(v, Urgency),
    }


@blueprint.get("/mine")
@require(Permission.REFERRAL_SEND)
def mine() -> ResponseReturnValue:
    """Every referral I sent, newest first, with overdue markers and filters."""
    actor = require_actor()
    form = MyReferralsFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("referrals/followup/mine.html", form=form, rows=None), 400
    page = followup.my_referrals(get_session(), actor, form.filters(), request.args.get("after"))
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
    if referral is None or not followup.may_follow_up(actor, referral):
        access_denied.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            permission=Permission.REFERRAL_SEND,
            reason="not_in_scope",
            object_type="referral",
            object_id=referral_id,
        )
        abort(404)
    return referral


@blueprint.post("/<uuid:referral_id>/acknowledge")
@require(Permission.REFERRAL_SEND)
def acknowledge(referral_id: uuid.UUID) -> ResponseReturnValue:
    """The referrer has seen that a referral expired (and referred elsewhere, or decided not to)."""
    actor = require_actor()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    referral = _load_for_follow_up(actor, referral_id)
    back = safe_next(request.args.get("next"), url_for(".mine"))
    try:
        followup.acknowledge_expired(get_session(), actor, referral)
    except followup.FollowupError:
        flash(_("Only an expired referral can be marked as dealt with."), "error")
        return redirect(back, 303)
    flash(_("Referral %(ref)s is marked as dealt with.", ref=referral.reference), "success")
    return redirect(back, 303)


@blueprint.get("/overdue")
@require(Permission.REFERRAL_REPORT)
def organisation_overdue() -> ResponseReturnValue:
    """Supervisors: the overdue referrals of their organisation, escalated ones marked."""
    actor = require_actor()
    if actor.role is not Role.SUPERVISOR:
        deny(Permission.REFERRAL_REPORT, "role")
    form = OverdueFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("referrals/followup/overdue.html", form=form, rows=None), 400
    rows = followup.organisation_overdue(get_session(), actor, form.filters())
    return render_template(
        "referrals/followup/overdue.html",
        form=form,
        rows=rows,
        filtered=form.filters().active,
        days=followup.escalation_days(),
        **_labels(),
    )


@blueprint.get("/figures", endpoint="figures")
@require(Permission.REFERRAL_REPORT)
def figures_page() -> ResponseReturnValue:
    """Per-provider figures: a supervisor sees their organisation's referrals, an
    administrator everyone's."""
    actor = require_actor()
    form = PeriodForm(request.args)
    if request.args and not form.validate():
        return render_template("referrals/followup/figures.html", form=form, table=None), 400
    scope = None if actor.role is Role.ADMINISTRATOR else actor.organisation_id
    period = figures.Period(form.date_from.data, form.date_to.data)
    by_service = bool(form.by_service.data)
    table = figures.provider_figures(
        get_session(), period, referring_organisation_id=scope, by_service=by_service
    )
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
        by_service=by_service,
        states=figures.STATE_HEADINGS,
        percent=lambda r: "–" if r is None else format_percent(r),
        hours=lambda h: "–" if h is None else format_decimal(h, format="#,##0.0"),
        **_labels(),
    )


@referrals_cli.command("figures")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--by-service", is_flag=True, help="One row per service of each provider.")
@with_appcontext
def figures_command(date_from: object, date_to: object, by_service: bool) -> None:
    """Print the per-provider figures of the referrals sent in the period (all organisations)."""
    start = date_from.date() if date_from is not None else None  # type: ignore[attr-defined]
    end = date_to.date() if date_to is not None else None  # type: ignore[attr-defined]
    if start and end and start > end:
        raise click.BadParameter("--to comes before --from")
    if any(day is not None and not 2000 <= day.year <= 2100 for day in (start, end)):
        raise click.BadParameter("dates must fall between the years 2000 and 2100")
    with current_db().session_scope() as db:
        table = figures.provider_figures(db, figures.Period(start, end), by_service=by_service)
        record(
            db,
            "referral_figures.viewed",
            object_type="referral",
            details={
                "providers": len(table),
                "referrals": sum(f.total for f in table),
                "scope": "all",
                "source": "cli",
                "by_service": by_service,
            },
        )
    states = [s.value for s in ReferralState]
    header = ["provider", *(["service"] if by_service else []), "total", *states]
    header += ["acceptance", "median_hours", "completion"]
    click.echo("\t".join(header))
    for f in table:
        click.echo(
            "\t".join(
                [
                    f.name,
                    *([f.service or ""] if by_service else []),
                    str(f.total),
                    *(str(f.counts[s]) for s in states),
                    figures.percent(f.acceptance_rate),
                    figures.hours(f.median_hours_to_answer),
                    figures.percent(f.completion_rate),
                ]
            )
        )
    if not table:
        click.echo("no referrals in this period")
