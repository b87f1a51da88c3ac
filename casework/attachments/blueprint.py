"""The attachments blueprint, nested in casework's: /cases/<case_id>/attachments/..."""

from __future__ import annotations

from flask import Blueprint

from casework.attachments import routes

blueprint = Blueprint("attachments", __name__, url_prefix="/<uuid:case_id>/attachments")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.upload)
blueprint.add_url_rule("/<uuid:attachment_id>", view_func=routes.download, methods=["GET"])
