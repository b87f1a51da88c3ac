"""The auditor's workspace."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from audit import hooks
from core.extensions import NavItem, register_nav_item
from core.permissions import Permission
from core.security import require

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    hooks.init_app(state.app)
    register_nav_item(state.app, NavItem("audit.index", _l("Audit log"), Permission.AUDIT_VIEW, 30))


@blueprint.get("/")
@require(Permission.AUDIT_VIEW)
def index() -> ResponseReturnValue:
    return render_template("audit/index.html")
