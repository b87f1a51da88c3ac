"""Pages reached from e-mailed links: invitation, password reset, authenticator enrolment.

A link that does not work answers 404 and the refusal is kept in the audit log.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from audit import record
from auth import admin, passwords, pending, services, tokens
from auth.forms import LinkPasswordForm, NewPasswordForm, PasswordResetRequestForm
from auth.limits import GENERIC_LOGIN_ERROR
from auth.models import User
from auth.passwords import PasswordRejected
from core.config import current_settings
from core.db import get_session, keep_changes_on_error
from core.ratelimit import sign_in_limited
from core.security import public


def _valid_link(token: str, purpose: str) -> User | None:
    db = get_session()
    found = tokens.peek(db, token, purpose)
    user = db.get(User, found.user_id) if found else None
    if user is None or not services.can_sign_in(user):
        record(db, f"{purpose}.rejected", outcome="failed")
        keep_changes_on_error()
        return None
    return user


def _invalid_link() -> ResponseReturnValue:
    return render_template("auth/link_invalid.html"), 404


def _set_password_from_link(form: NewPasswordForm, user: User, token: str, purpose: str) -> bool:
    """Consume the link, then set the password; False (with form errors) when refused."""
    if form.password.data != form.confirm.data:
        form.confirm.errors = [_("The two passwords differ. Type the same password twice.")]
        return False
    try:
        passwords.check_password(form.password.data or "", user.display_name, user.email)
    except PasswordRejected as exc:
        form.password.errors = [str(exc.message)]
        return False
    db = get_session()
    if tokens.consume(db, token, purpose) is None:
        form.password.errors = [_("This link has just been used. Ask for a new one.")]
        return False
    admin.set_password(
        db, None, user, form.password.data or "", purpose, settings=current_settings().auth
    )
    return True


@public
@sign_in_limited
def accept_invitation(token: str) -> ResponseReturnValue:
    user = _valid_link(token, tokens.INVITATION)
    if user is None:
        return _invalid_link()
    form = NewPasswordForm()
    if form.validate_on_submit() and _set_password_from_link(form, user, token, tokens.INVITATION):
        record(
            get_session(),
            "invitation.accepted",
            actor=services.actor_for(user),
            object_type="user",
            object_id=user.id,
        )
        pending.start(user, may_enrol=True)
        if services.mfa_required(user, current_settings().auth):
            flash(_("Password set. Now set up your second step."), "success")
            return redirect(url_for("auth.enrol"))
        try:
            services.complete_login(get_session(), user, "invitation", pending.claim())
        except services.SignInExpired:
            flash(_("Please sign in again."), "info")
            return redirect(url_for("auth.login"))
        return redirect(url_for("home.index"))
    return render_template("auth/set_password.html", form=form, user=user, purpose="invitation")


@public
@sign_in_limited
def request_password_reset() -> ResponseReturnValue:
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            get_session(),
            form.email.data or "",
            base_url=current_settings().auth.base_url,
            lifetime=current_settings().auth.password_reset_lifetime,
        )
        flash(
            _("If that address belongs to an active account, a reset link is on its way."), "info"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@public
@sign_in_limited
def reset_password(token: str) -> ResponseReturnValue:
    user = _valid_link(token, tokens.PASSWORD_RESET)
    if user is None:
        return _invalid_link()
    form = NewPasswordForm()
    if form.validate_on_submit() and _set_password_from_link(
        form, user, token, tokens.PASSWORD_RESET
    ):
        # The reset proves the mailbox, not the second factor: sign in as usual.
        flash(_("Your password has been changed. Sign in with it now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user, purpose="reset")


@public
@sign_in_limited
def enrolment_link(token: str) -> ResponseReturnValue:
    """After a reset of the second factor: the e-mailed link plus the password allow enrolment."""
    user = _valid_link(token, tokens.ENROLMENT)
    if user is None:
        return _invalid_link()
    form = LinkPasswordForm()
    if form.validate_on_submit():
        db = get_session()
        password = form.password.data or ""
        checked = services.check_password_step(
            db, user.email, password, current_settings().auth
        ).user
        if checked is None or checked.id != user.id:
            form.password.errors = [str(GENERIC_LOGIN_ERROR)]
        elif tokens.consume(db, token, tokens.ENROLMENT) is None:
            return _invalid_link()
        else:
            pending.start(user, may_enrol=True)
            return redirect(url_for("auth.enrol"))
    return render_template("auth/enrolment_link.html", form=form)
