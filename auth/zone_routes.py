"""The user's time zone: chosen on the account page, answered to core's date formatting."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from auth import services
from auth.forms import TimeZoneForm
from auth.models import User
from core.db import get_session
from core.security import current_actor, require_actor


def user_time_zone(_sender: object, **_extra: object) -> str | None:
    """Receiver of ``core.signals.time_zone_asking``: the user's zone, else their
    organisation's (None: the deployment's default)."""
    actor = current_actor()
    if actor is None:
        return None
    user = get_session().get(User, actor.user_id)
    if user is None:
        return None
    return user.time_zone or user.organisation.time_zone


def set_time_zone() -> ResponseReturnValue:
    form = TimeZoneForm()
    if form.validate_on_submit():
        db = get_session()
        actor = require_actor()
        user = services.user_for_actor(db, actor)
        services.set_time_zone(db, actor, user, form.time_zone.data or None)
        flash(_("Your time zone is saved."), "success")
    else:
        flash(_("Choose a time zone from the list."), "error")
    return redirect(url_for("auth.account"))
