"""Referral pages: the provider inbox."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from core.extensions import NavItem, register_nav_item
from core.permissions import Permission
from core.security import require

blueprint = Blueprint("referrals", __name__, url_prefix="/referrals")


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    register_nav_item(
        state.app, NavItem("referrals.inbox", _l("Referral inbox"), Permission.REFERRAL_RESPOND, 20)
    )


@blueprint.get("/inbox")
@require(Permission.REFERRAL_RESPOND)
def inbox() -> ResponseReturnValue:
    return render_template("referrals/inbox.html")
