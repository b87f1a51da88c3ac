"""The subject rights blueprint, nested in casework's: /cases/<case_id>/person-data/...;
commands ``homeward retention ...``."""

from __future__ import annotations

from flask import Blueprint

from casework.subject_rights import routes

blueprint = Blueprint(
    "subject_rights", __name__, url_prefix="/<uuid:case_id>/person-data", cli_group="retention"
)


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/export.json", view_func=routes.export_json, methods=["GET"])
blueprint.add_url_rule("/export", view_func=routes.export_page, methods=["GET"])
blueprint.add_url_rule("/erasure", methods=["GET", "POST"], view_func=routes.request_erasure)
blueprint.add_url_rule(
    "/erasure/<uuid:request_id>", methods=["GET", "POST"], view_func=routes.confirm_erasure
)
blueprint.add_url_rule(
    "/erasure/<uuid:request_id>/cancel", view_func=routes.cancel_erasure, methods=["POST"]
)
