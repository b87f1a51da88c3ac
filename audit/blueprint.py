"""The audit blueprint: the auditor's pages under /audit, commands ``homeward audit ...``."""

from __future__ import annotations

from flask import Blueprint

from audit import routes

blueprint = Blueprint("audit", __name__, url_prefix="/audit", cli_group="audit")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/", view_func=routes.index, methods=["GET"])
blueprint.add_url_rule("/export", view_func=routes.export, methods=["POST"])
blueprint.add_url_rule("/cases/<uuid:case_id>", view_func=routes.case_history, methods=["GET"])
blueprint.add_url_rule(
    "/emergency/<uuid:grant_id>", view_func=routes.emergency_grant, methods=["GET"]
)
blueprint.add_url_rule("/users/<uuid:user_id>", view_func=routes.user_activity, methods=["GET"])
blueprint.add_url_rule("/chain", view_func=routes.chain_status, methods=["GET"])
blueprint.add_url_rule("/chain/verify", view_func=routes.verify_recent, methods=["POST"])
blueprint.add_url_rule("/alerts", view_func=routes.alert_list, methods=["GET"])
