"""Administration pages: organisations, accounts, their sessions and second factors."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from audit import record
from auth import admin, policy, sessions
from auth.forms import (
    OrganisationForm,
    UserEditForm,
    UserFilterForm,
    UserForm,
    role_choices,
)
from auth.models import Organisation, User
from auth.services import is_locked
from core.config import current_settings
from core.db import get_session
from core.extensions import NavItem
from core.forms import ConfirmForm, field_error, parse_uuid
from core.i18n.plurals import ngettext
from core.permissions import Permission, Role
from core.security import require, require_actor


def _load_user(user_id: uuid.UUID) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    policy.authorize_manage_user(require_actor(), user)
    return user


def _load_organisation(org_id: uuid.UUID) -> Organisation:
    org = get_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    policy.authorize_manage_organisation(require_actor(), org)
    return org


def _organisation_choices() -> list[tuple[str, str]]:
    return [(str(o.id), f"{o.name} ({o.code})") for o in admin.list_organisations(get_session())]


def _chosen_organisation(value: str | None) -> Organisation | None:
    chosen = parse_uuid(value)
    return get_session().get(Organisation, chosen) if chosen is not None else None


@require(Permission.USER_MANAGE)
def users() -> ResponseReturnValue:
    """Accounts, filtered by a form sent by POST so that names never travel in URLs."""
    db = get_session()
    form = UserFilterForm()
    form.organisation.choices = [("", _("All organisations")), *_organisation_choices()]
    valid = form.validate_on_submit()
    # A filter that fails validation (too long, no CSRF token) is not applied at all.
    org = _chosen_organisation(form.organisation.data) if valid else None
    query = (form.query.data or "") if valid else ""
    found = admin.list_users(db, query, org.id if org else None)
    record(db, "user.listed", object_type="user", details={"count": len(found)})
    status = 400 if form.is_submitted() and not valid else 200
    page = render_template("auth/admin/users.html", form=form, users=found, is_locked=is_locked)
    return page, status


@require(Permission.USER_MANAGE)
def invite() -> ResponseReturnValue:
    form = UserForm()
    form.organisation.choices = _organisation_choices()
    form.role.choices = role_choices()
    if form.validate_on_submit():
        org = _chosen_organisation(form.organisation.data)
        if org is None or not org.active:
            form.organisation.errors = [_("Choose an active organisation.")]
        else:
            try:
                user = admin.invite_user(
                    get_session(),
                    require_actor(),
                    email=form.email.data or "",
                    display_name=form.display_name.data or "",
                    organisation=org,
                    role=Role(form.role.data),
                    preferred_language=form.preferred_language.data or "en",
                    base_url=current_settings().auth.base_url,
                    lifetime=current_settings().auth.invitation_lifetime,
                )
            except admin.AdminError as exc:
                field_error(form, exc)
            else:
                flash(_("Invitation sent. The link works once and expires."), "success")
                return redirect(url_for("auth.admin.user", user_id=user.id))
    return render_template("auth/admin/invite.html", form=form)


@require(Permission.USER_MANAGE)
def user(user_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    account = _load_user(user_id)
    form = UserEditForm(obj=account)
    form.organisation.choices = _organisation_choices()
    form.role.choices = role_choices()
    if not form.is_submitted():
        form.organisation.data = str(account.organisation_id)
    if form.validate_on_submit():
        org = _chosen_organisation(form.organisation.data)
        if org is None:
            form.organisation.errors = [_("Choose an organisation.")]
        else:
            try:
                changed = admin.update_user(
                    db,
                    require_actor(),
                    account,
                    display_name=form.display_name.data or "",
                    organisation=org,
                    role=Role(form.role.data),
                    preferred_language=form.preferred_language.data or "en",
                )
            except admin.AdminError as exc:
                field_error(form, exc)
            else:
                flash(_("Saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("auth.admin.user", user_id=account.id))
    record(db, "user.viewed", object_type="user", object_id=account.id)
    return render_template(
        "auth/admin/user.html",
        form=form,
        account=account,
        locked=is_locked(account),
        open_sessions=sessions.open_sessions(db, account.id, current_settings().auth),
        action_form=ConfirmForm(),
    )


def _user_action(user_id: uuid.UUID, action: str) -> ResponseReturnValue:
    db = get_session()
    account = _load_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    actor = require_actor()
    try:
        if action == "deactivate":
            admin.set_active(db, actor, account, False)
            flash(_("Account deactivated; its sessions have ended."), "success")
        elif action == "reactivate":
            admin.set_active(db, actor, account, True)
            flash(_("Account reactivated."), "success")
        elif action == "unlock":
            admin.unlock(db, actor, account)
            flash(_("Account unlocked."), "success")
        elif action == "reset-mfa":
            admin.reset_second_factor(
                db,
                actor,
                account,
                base_url=current_settings().auth.base_url,
                lifetime=current_settings().auth.invitation_lifetime,
            )
            flash(
                _("Second factor removed. They have been e-mailed a link to set up a new one."),
                "success",
            )
        elif action == "end-sessions":
            count = admin.end_sessions(db, actor, account, "ended_by_administrator")
            flash(ngettext("%(num)d session ended.", "%(num)d sessions ended.", count), "success")
        elif action == "resend-invitation":
            admin.send_invitation(
                db,
                actor,
                account,
                base_url=current_settings().auth.base_url,
                lifetime=current_settings().auth.invitation_lifetime,
            )
            flash(_("A new invitation has been sent; earlier links no longer work."), "success")
        else:
            abort(404)
    except admin.AdminError as exc:
        flash(_(str(exc.message)), "error")
    return redirect(url_for("auth.admin.user", user_id=account.id))


@require(Permission.USER_MANAGE)
def deactivate(user_id: uuid.UUID) -> ResponseReturnValue:
    return _user_action(user_id, "deactivate")


@require(Permission.USER_MANAGE)
def reactivate(user_id: uuid.UUID) -> ResponseReturnValue:
    return _user_action(user_id, "reactivate")


@require(Permission.USER_MANAGE)
def unlock(user_id: uuid.UUID) -> ResponseReturnValue:
    return _user_action(user_id, "unlock")


@require(Permission.USER_MANAGE)
def reset_mfa(user_id: uuid.UUID) -> ResponseReturnValue:
    return _user_action(user_id, "reset-mfa")


@require(Permission.USER_MANAGE)
def end_sessions(user_id: uuid.UUID) -> ResponseReturnValue:
    return _user_action(user_id, "end-sessions")


@require(Permission.USER_MANAGE)
def resend_invitation(user_id: uuid.UUID) -> ResponseReturnValue:
    return _user_action(user_id, "resend-invitation")


@require(Permission.USER_MANAGE)
def end_session(user_id: uuid.UUID, session_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    account = _load_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = next((s for s in account.sessions if s.public_id == session_id), None)
    if row is None:
        abort(404)
    sessions.end_one(row, "ended_by_administrator")
    record(
        db,
        "user.session_ended",
        object_type="user",
        object_id=account.id,
        details={"session_id": str(session_id)},
    )
    flash(_("Session ended."), "success")
    return redirect(url_for("auth.admin.user", user_id=account.id))


@require(Permission.ORGANISATION_MANAGE)
def organisations() -> ResponseReturnValue:
    return render_template(
        "auth/admin/organisations.html", organisations=admin.list_organisations(get_session())
    )


@require(Permission.ORGANISATION_MANAGE)
def new_organisation() -> ResponseReturnValue:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            admin.create_organisation(
                get_session(),
                require_actor(),
                name=form.name.data or "",
                code=form.code.data or "",
                country=form.country.data or "",
                is_case_agency=bool(form.is_case_agency.data),
                is_provider=bool(form.is_provider.data),
                time_zone=form.time_zone.data or None,
            )
        except admin.AdminError as exc:
            field_error(form, exc)
        else:
            flash(_("Organisation created."), "success")
            return redirect(url_for("auth.admin.organisations"))
    return render_template("auth/admin/organisation.html", form=form, org=None)


@require(Permission.ORGANISATION_MANAGE)
def organisation(org_id: uuid.UUID) -> ResponseReturnValue:
    org = _load_organisation(org_id)
    form = OrganisationForm(obj=org)
    form.code.render_kw = {"readonly": True}
    if form.is_submitted():
        form.code.data = org.code
    if form.validate_on_submit():
        try:
            admin.update_organisation(
                get_session(),
                require_actor(),
                org,
                name=form.name.data or "",
                country=form.country.data or "",
                is_case_agency=bool(form.is_case_agency.data),
                is_provider=bool(form.is_provider.data),
                active=bool(form.active.data),
                time_zone=form.time_zone.data or None,
            )
        except admin.AdminError as exc:
            field_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("auth.admin.organisations"))
    return render_template("auth/admin/organisation.html", form=form, org=org)


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: user and organisation administration."""
    return [
        NavItem("auth.admin.users", _l("Users"), Permission.USER_MANAGE, 40),
        NavItem(
            "auth.admin.organisations", _l("Organisations"), Permission.ORGANISATION_MANAGE, 41
        ),
    ]
