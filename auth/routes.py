"""Sign-in pages: password, second factor, first enrolment, sign-out, keep-alive."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from auth import mfa, pending, services, sessions
from auth.forms import EnrolForm, LanguageForm, LoginForm, SecondFactorForm
from auth.limits import GENERIC_LOGIN_ERROR
from auth.models import User
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.extensions import remember_language
from core.forms import ConfirmForm
from core.ratelimit import sign_in_limited
from core.security import Actor, current_actor, is_safe_next, public, require_actor, safe_next


def signed_in_actor(_sender: object, **_extra: object) -> Actor | None:
    """Receiver of ``core.signals.actor_asking``: the actor of this request's session."""
    return sessions.load_actor(get_session(), current_settings().auth)


def session_seconds_left(_sender: object, **_extra: object) -> int | None:
    """Receiver of ``core.signals.session_seconds_asking``."""
    row = sessions.current_session_row(get_session()) if current_actor() else None
    return sessions.seconds_left(row, current_settings().auth) if row is not None else None


def preferred_language(_sender: object, **_extra: object) -> str | None:
    """Receiver of ``core.signals.preferred_locale_asking``."""
    actor = current_actor()
    if actor is None:
        return None
    user = get_session().get(User, actor.user_id)
    return user.preferred_language if user else None


def finish_sign_in(user: User, method: str) -> ResponseReturnValue:
    """Both steps passed: a fresh session, then where the user was going."""
    nxt = pending.next_url()
    try:
        services.complete_login(get_session(), user, method, pending.claim())
    except services.SignInExpired:
        return _sign_in_again()
    return redirect(safe_next(nxt, url_for("home.index")))


def _sign_in_again() -> ResponseReturnValue:
    """This half-finished sign-in was completed already (or replayed): start over."""
    pending.forget()
    flash(_("Please sign in again."), "info")
    return redirect(url_for("auth.login"))


@public
@sign_in_limited
def login() -> ResponseReturnValue:
    if current_actor() is not None:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        settings = current_settings().auth
        user = services.check_password_step(
            db, form.email.data or "", form.password.data or "", settings
        ).user
        if user is None:
            flash(GENERIC_LOGIN_ERROR, "error")
            return _login_page(form), 200
        nxt = request.args.get("next")
        pending.start(user, nxt, may_enrol=services.may_enrol_at_sign_in(user))
        if not services.mfa_required(user, settings):
            return finish_sign_in(user, "password")
        if user.mfa_enrolled:
            return redirect(url_for("auth.second_factor"))
        if pending.may_enrol():
            return redirect(url_for("auth.enrol"))
        return render_template("auth/enrolment_by_link.html"), 200
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    languages = LanguageForm(formdata=None, language=str(get_locale()))
    return render_template("auth/login.html", form=form, languages=languages)


@public
def choose_language() -> ResponseReturnValue:
    """The sign-in page's language switcher: the choice is kept in a cookie."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    nxt = request.args.get("next")
    target = url_for("auth.login", next=nxt) if nxt and is_safe_next(nxt) else url_for("auth.login")
    return remember_language(redirect(target, 303), form.language.data or "")


@public
@sign_in_limited
def second_factor() -> ResponseReturnValue:
    user = pending.user(get_session())
    if user is None or not user.mfa_enrolled:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if services.check_second_factor(
            get_session(), user, form.code.data or "", current_settings().auth
        ):
            return finish_sign_in(user, "password+totp")
        form.code.errors = [
            _("That code is not valid. Codes change every 30 seconds and each works once.")
        ]
    return render_template("auth/second_factor.html", form=form)


@public
@sign_in_limited
def enrol() -> ResponseReturnValue:
    """Authenticator set-up inside a sign-in that was allowed to enrol (see auth.pending).

    The secret is made for this attempt and kept in it; it becomes the account's only when a
    code from it has been typed, so nobody can copy a secret the owner will later scan.
    """
    db = get_session()
    user = pending.user(db)
    if user is None or user.mfa_enrolled or not pending.may_enrol():
        return redirect(url_for("auth.login"))
    secret = pending.enrolment_secret(db, user)
    form = EnrolForm()
    if form.validate_on_submit():
        continue_url = safe_next(pending.next_url(), url_for("home.index"))
        try:
            codes = services.enrol_at_sign_in(
                db, user, secret, form.code.data or "", pending.claim()
            )
        except services.SignInExpired:
            return _sign_in_again()
        if codes is not None:
            return render_template(
                "auth/recovery_codes.html", codes=codes, continue_url=continue_url
            )
        form.code.errors = [
            _("That code does not match. Check the time on your phone and try again.")
        ]
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template("auth/enrol.html", form=form, qr=mfa.qr_svg(uri), secret=secret)


def logout() -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    services.logout(get_session(), require_actor())
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def keep_alive() -> ResponseReturnValue:
    """'Stay signed in': the idle clock restarts (the absolute limit still holds)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = sessions.current_session_row(get_session())
    if row is None:
        abort(401)
    row.last_seen_at = utcnow()
    return jsonify(seconds_left=sessions.seconds_left(row, current_settings().auth))
