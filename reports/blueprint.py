"""The reports blueprint: the figures pages under /reports, the commands under
``homeward reports ...``."""

from __future__ import annotations

from flask import Blueprint

from reports import routes

blueprint = Blueprint("reports", __name__, url_prefix="/reports", cli_group="reports")

blueprint.add_url_rule("/team", endpoint="team", view_func=routes.team, methods=["GET"])
blueprint.add_url_rule("/national", endpoint="national", view_func=routes.national, methods=["GET"])
blueprint.add_url_rule(
    "/national/ctdc.csv", endpoint="ctdc", view_func=routes.ctdc_download, methods=["GET"]
)
