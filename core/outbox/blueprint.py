"""The outbox blueprint: the administrator's page under /admin/outbox (views in routes.py)
and the ``homeward outbox`` commands (commands.py, added in ``init_app``)."""

from __future__ import annotations

from flask import Blueprint

from core.outbox import routes

blueprint = Blueprint("outbox", __name__, url_prefix="/admin/outbox", cli_group="outbox")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("", view_func=routes.index, methods=["GET"])
blueprint.add_url_rule("/<uuid:message_id>/retry", view_func=routes.retry, methods=["POST"])
blueprint.add_url_rule("/<uuid:message_id>/discard", view_func=routes.discard, methods=["POST"])
