"""Sign-in, second factor and sign-out pages."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
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
from auth import admin, commands, demo, mfa, services, sessions, tokens
from auth.admin_routes import blueprint as admin_blueprint
from auth.forms import (
    ChangePasswordForm,
    EnrolForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ReplaceSecondFactorForm,
    SecondFactorForm,
)
from auth.models import User
from auth.passwords import PasswordRejected
from core.clock import utcnow
from core.db import get_session
from core.extensions import NavItem, limiter, register_nav_item
from core.forms import ConfirmForm
from core.permissions import Permission
from core.security import current_actor, public, require_actor, safe_next, set_actor_loader

blueprint = Blueprint("auth", __name__)
blueprint.register_blueprint(admin_blueprint)

GENERIC_LOGIN_ERROR = _l("That e-mail address and password do not match an active account.")
PENDING_KEY = "pending_login"
PENDING_LIFETIME = timedelta(minutes=5)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    set_actor_loader(app, lambda: sessions.load_actor(get_session()))
    app.extensions["homeward_preferred_locale"] = _preferred_language
    app.extensions["homeward_session_seconds_left"] = _session_seconds_left
    register_nav_item(app, NavItem("auth.admin.users", _l("Users"), Permission.USER_MANAGE, 40))
    register_nav_item(
        app,
        NavItem(
            "auth.admin.organisations", _l("Organisations"), Permission.ORGANISATION_MANAGE, 41
        ),
    )
    commands.init_app(app)
    demo.init_app(app)


def _session_seconds_left() -> int | None:
    row = sessions.current_session_row(get_session()) if current_actor() else None
    return sessions.seconds_left(row) if row is not None else None


def _preferred_language() -> str | None:
    actor = current_actor()
    if actor is None:
        return None
    user = get_session().get(User, actor.user_id)
    return user.preferred_language if user else None


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
    admin.end_sessions(db, actor, services.user_for_actor(db, actor), "sign_out_everywhere")
    session.clear()
    flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@blueprint.post("/session/keep-alive")
def keep_alive() -> ResponseReturnValue:
    """'Stay signed in': the idle clock restarts (the absolute limit still holds)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = sessions.current_session_row(get_session())
    if row is None:
        abort(401)
    row.last_seen_at = utcnow()
    return jsonify(seconds_left=sessions.seconds_left(row))


def _start_pending(user: User, nxt: str | None = None) -> None:
    session.clear()
    session[PENDING_KEY] = {"uid": str(user.id), "at": utcnow().isoformat(), "next": nxt}


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    db = get_session()
    found = tokens.peek(db, token, tokens.INVITATION)
    user = db.get(User, found.user_id) if found else None
    if found is None or user is None or not user.active:
        record(db, "invitation.rejected", outcome="failed")
        return render_template("auth/link_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [_("The two passwords differ. Type the same password twice.")]
        else:
            try:
                admin.set_password(db, None, user, form.password.data or "", "invitation")
            except PasswordRejected as exc:
                form.password.errors = [str(exc.message)]
            else:
                tokens.consume(db, token, tokens.INVITATION)
                record(
                    db,
                    "invitation.accepted",
                    actor=services.actor_for(user),
                    object_type="user",
                    object_id=user.id,
                )
                _start_pending(user)
                if services.mfa_required(user):
                    flash(_("Password set. Now set up your second step."), "success")
                    return redirect(url_for("auth.enrol"))
                return _finish(user, "invitation")
    return render_template("auth/set_password.html", form=form, user=user, purpose="invitation")


@blueprint.route("/password-reset", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def request_password_reset() -> ResponseReturnValue:
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            get_session(),
            form.email.data or "",
            base_url=current_app.config["BASE_URL"],
            lifetime=timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]),
        )
        flash(
            _("If that address belongs to an active account, a reset link is on its way."), "info"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    db = get_session()
    found = tokens.peek(db, token, tokens.PASSWORD_RESET)
    user = db.get(User, found.user_id) if found else None
    if found is None or user is None or not user.active:
        record(db, "password_reset.rejected", outcome="failed")
        return render_template("auth/link_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [_("The two passwords differ. Type the same password twice.")]
        else:
            try:
                admin.set_password(db, None, user, form.password.data or "", "reset")
            except PasswordRejected as exc:
                form.password.errors = [str(exc.message)]
            else:
                tokens.consume(db, token, tokens.PASSWORD_RESET)
                session.clear()
                # The reset proves the mailbox, not the second factor: sign in as usual.
                flash(_("Your password has been changed. Sign in with it now."), "success")
                return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user, purpose="reset")


@blueprint.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def change_password() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [_("The two passwords differ. Type the same password twice.")]
        elif not services.reauthenticate(
            db, actor, user, form.current_password.data or "", form.code.data or ""
        ):
            form.current_password.errors = [_("Your current password or code is not right.")]
        else:
            try:
                admin.set_password(db, actor, user, form.password.data or "", "change")
            except PasswordRejected as exc:
                form.password.errors = [str(exc.message)]
            else:
                session.clear()
                flash(
                    _("Password changed. You have been signed out everywhere; sign in again."),
                    "success",
                )
                return redirect(url_for("auth.login"))
    return render_template("auth/change_password.html", form=form, mfa=user.mfa_enrolled)


@blueprint.route("/account/second-factor", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def replace_second_factor() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    form = ReplaceSecondFactorForm()
    if form.validate_on_submit():
        if services.reauthenticate(
            db, actor, user, form.current_password.data or "", form.code.data or ""
        ):
            user.totp_pending_secret = mfa.new_secret()
            return redirect(url_for("auth.confirm_second_factor"))
        form.current_password.errors = [_("Your current password or code is not right.")]
    return render_template("auth/reauth.html", form=form, purpose="second_factor")


@blueprint.route("/account/second-factor/confirm", methods=["GET", "POST"])
def confirm_second_factor() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    if user.totp_pending_secret is None or not services.recently_reauthenticated(db):
        flash(_("Confirm your password first."), "info")
        return redirect(url_for("auth.replace_second_factor"))
    form = EnrolForm()
    if form.validate_on_submit():
        codes = services.confirm_new_authenticator(db, actor, user, form.code.data or "")
        if codes is not None:
            return render_template(
                "auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.account")
            )
        form.code.errors = [
            _("That code does not match. Check the time on your phone and try again.")
        ]
    uri = mfa.provisioning_uri(user.totp_pending_secret, user.email)
    return render_template(
        "auth/enrol.html", form=form, qr=mfa.qr_svg(uri), secret=user.totp_pending_secret
    )
