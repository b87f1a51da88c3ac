"""Casework pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from core.extensions import NavItem, register_nav_item
from core.permissions import Permission
from core.security import require

blueprint = Blueprint("casework", __name__, url_prefix="/cases")


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    register_nav_item(state.app, NavItem("casework.index", _l("Cases"), Permission.CASE_VIEW, 10))


@blueprint.get("/")
@require(Permission.CASE_VIEW)
def index() -> ResponseReturnValue:
    return render_template("casework/index.html")
