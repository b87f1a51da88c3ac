"""The signed-in user's own account: sessions, password, authenticator."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy.orm import Session

from auth import admin, mfa, services, sessions
from auth.forms import (
    ChangePasswordForm,
    EnrolForm,
    LanguageForm,
    ReplaceSecondFactorForm,
    TimeZoneForm,
)
from auth.models import User
from auth.passwords import PasswordRejected
from core.clock import utcnow
from core.config import current_settings
from core.db import get_session
from core.extensions import offered_locales, remember_language
from core.forms import ConfirmForm
from core.ratelimit import sign_in_limited
from core.security import require_actor

#: A new authenticator offered after re-authentication, bound to this browser session.
NEW_AUTHENTICATOR = "new_authenticator"
REAUTH_WINDOW_SECONDS = 300


def account() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    return render_template(
        "auth/account.html",
        user=user,
        open_sessions=sessions.open_sessions(db, user.id, current_settings().auth),
        recovery_left=mfa.remaining_recovery_codes(user),
        form=ConfirmForm(),
        zone_form=TimeZoneForm(time_zone=user.time_zone or ""),
        languages=LanguageForm(formdata=None, language=user.preferred_language),
    )


def account_language() -> ResponseReturnValue:
    """The account page's language switcher: stored as the user's preference (it wins over
    the browser's) and kept in the cookie the sign-in page reads."""
    db = get_session()
    user = services.user_for_actor(db, require_actor())
    form = LanguageForm()
    response = redirect(url_for("auth.account"), 303)
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return response
    code = form.language.data or ""
    if services.set_preferred_language(db, user, code, offered_locales()):
        refresh()  # the message below in the language just chosen
        flash(_("Language saved."), "success")
    return remember_language(response, code)


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


@sign_in_limited
def change_password() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [_("The two passwords differ. Type the same password twice.")]
        elif not services.reauthenticate(
            db,
            actor,
            user,
            form.current_password.data or "",
            form.code.data or "",
            current_settings().auth,
        ):
            form.current_password.errors = [_("Your current password or code is not right.")]
        else:
            try:
                admin.set_password(
                    db,
                    actor,
                    user,
                    form.password.data or "",
                    "change",
                    settings=current_settings().auth,
                )
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


@sign_in_limited
def replace_second_factor() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    form = ReplaceSecondFactorForm()
    if form.validate_on_submit():
        if services.reauthenticate(
            db,
            actor,
            user,
            form.current_password.data or "",
            form.code.data or "",
            current_settings().auth,
        ):
            session[NEW_AUTHENTICATOR] = {
                "secret": mfa.seal_offer(db, user, mfa.new_secret()),
                "at": utcnow().isoformat(),
                "enrolled": _stamp(user.mfa_enrolled_at),
            }
            return redirect(url_for("auth.confirm_second_factor"))
        form.current_password.errors = [_("Your current password or code is not right.")]
    return render_template("auth/reauth.html", form=form, purpose="second_factor")


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _offered_secret(db: Session, user: User) -> tuple[str, datetime | None] | None:
    """The new secret offered in this session within the last five minutes, if any, with the
    account's enrolment time it was offered against (an enrolment since voids the offer)."""
    offer = session.get(NEW_AUTHENTICATOR)
    if not isinstance(offer, dict):
        return None
    try:
        fresh = (utcnow() - datetime.fromisoformat(offer["at"])).total_seconds()
        if fresh > REAUTH_WINDOW_SECONDS or offer["enrolled"] != _stamp(user.mfa_enrolled_at):
            return None
        seen = datetime.fromisoformat(offer["enrolled"]) if offer["enrolled"] else None
        secret = mfa.open_offer(db, user, offer["secret"])
        return (secret, seen) if secret is not None else None
    except (TypeError, KeyError, ValueError):
        return None


@sign_in_limited
def confirm_second_factor() -> ResponseReturnValue:
    db = get_session()
    actor = require_actor()
    user = services.user_for_actor(db, actor)
    offered = _offered_secret(db, user)
    if offered is None:
        flash(_("Confirm your password first."), "info")
        return redirect(url_for("auth.replace_second_factor"))
    secret, seen_enrolled_at = offered
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.enrol_authenticator(
                db, user, secret, form.code.data or "", seen_enrolled_at=seen_enrolled_at
            )
        except services.OfferExpired:
            session.pop(NEW_AUTHENTICATOR, None)
            flash(_("Confirm your password first."), "info")
            return redirect(url_for("auth.replace_second_factor"))
        if codes is not None:
            session.pop(NEW_AUTHENTICATOR, None)
            return render_template(
                "auth/recovery_codes.html", codes=codes, continue_url=url_for("auth.account")
            )
        form.code.errors = [
            _("That code does not match. Check the time on your phone and try again.")
        ]
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template("auth/enrol.html", form=form, qr=mfa.qr_svg(uri), secret=secret)
