"""Sign-in, second factor and sign-out pages."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import record
from auth import mfa, services, sessions
from auth.forms import EnrolForm, LoginForm, SecondFactorForm
from auth.models import User
from core.clock import utcnow
from core.db import get_session
from core.extensions import limiter
from core.forms import ConfirmForm
from core.security import current_actor, public, require_actor, safe_next, set_actor_loader

blueprint = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = _l("That e-mail address and password do not match an active account.")
PENDING_KEY = "pending_login"
PENDING_LIFETIME = timedelta(minutes=5)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    set_actor_loader(app, lambda: sessions.load_actor(get_session()))
    from auth import commands, demo

    commands.init_app(app)
    demo.init_app(app)


def _pending_user() -> User | None:
    """The user who passed the password step in this browser in the last few minutes."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        started = datetime.fromisoformat(pending["at"])
        user_id = uuid.UUID(pending["uid"])
    except (KeyError, ValueError, TypeError):
        return None
    if utcnow() - started > PENDING_LIFETIME:
        session.pop(PENDING_KEY, None)
        return None
    user = get_session().get(User, user_id)
    return user if user is not None and user.active else None


def _finish(user: User, method: str) -> ResponseReturnValue:
    nxt = (session.get(PENDING_KEY) or {}).get("next")
    services.complete_login(get_session(), user, method)
    return redirect(safe_next(nxt, url_for("home.index")))


@blueprint.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_actor() is not None:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        outcome = services.check_password_step(db, form.email.data or "", form.password.data or "")
        user = outcome.user
        if user is None:
            flash(GENERIC_LOGIN_ERROR, "error")
            return render_template("auth/login.html", form=form), 200
        nxt = request.args.get("next")
        if not services.mfa_required(user):
            session.clear()
            session[PENDING_KEY] = {"uid": str(user.id), "at": utcnow().isoformat(), "next": nxt}
            return _finish(user, "password")
        session.clear()
        session[PENDING_KEY] = {"uid": str(user.id), "at": utcnow().isoformat(), "next": nxt}
        if user.mfa_enrolled:
            return redirect(url_for("auth.second_factor"))
        return redirect(url_for("auth.enrol"))
    return render_template("auth/login.html", form=form)


@blueprint.route("/login/second-factor", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def second_factor() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or not user.mfa_enrolled:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if services.check_second_factor(get_session(), user, form.code.data or ""):
            return _finish(user, "password+totp")
        form.code.errors = [
            _("That code is not valid. Codes change every 30 seconds and each works once.")
        ]
        return render_template("auth/second_factor.html", form=form), 200
    return render_template("auth/second_factor.html", form=form)


@blueprint.route("/login/enrol", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def enrol() -> ResponseReturnValue:
    """Second-factor enrolment during sign-in, for a user who must have one and has none."""
    user = _pending_user()
    if user is None or user.mfa_enrolled:
        return redirect(url_for("auth.login"))
    db = get_session()
    if user.totp_secret is None:
        user.totp_secret = mfa.new_secret()
        user.totp_last_step = None
    form = EnrolForm()
    if form.validate_on_submit():
        if mfa.verify_totp(user, form.code.data or ""):
            user.mfa_enrolled_at = utcnow()
            codes = mfa.issue_recovery_codes(user)
            record(
                db,
                "mfa.enrolled",
                actor=services.actor_for(user),
                object_type="user",
                object_id=user.id,
            )
            nxt = (session.get(PENDING_KEY) or {}).get("next")
            services.complete_login(db, user, "password+totp")
            return render_template(
                "auth/recovery_codes.html",
                codes=codes,
                continue_url=safe_next(nxt, url_for("home.index")),
            )
        form.code.errors = [
            _("That code does not match. Check the time on your phone and try again.")
        ]
    uri = mfa.provisioning_uri(user.totp_secret, user.email)
    return render_template(
        "auth/enrol.html",
        form=form,
        qr=mfa.qr_svg(uri),
        secret=user.totp_secret,
    )


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    services.logout(get_session(), require_actor())
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.get("/account")
def account() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    return render_template(
        "auth/account.html",
        user=user,
        open_sessions=sessions.open_sessions(db, user.id),
        recovery_left=mfa.remaining_recovery_codes(user),
        form=ConfirmForm(),
    )


@blueprint.post("/account/sign-out-everywhere")
def sign_out_everywhere() -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    db = get_session()
    actor = require_actor()
    from auth import admin

    admin.end_sessions(db, actor, services.user_for_actor(db, actor), "sign_out_everywhere")
    session.clear()
    flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("auth.login"))
