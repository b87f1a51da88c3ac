"""The follow-through blueprint: pages under /referrals (mine, overdue, figures)."""

from __future__ import annotations

from flask import Blueprint

from referrals.followup import routes

blueprint = Blueprint("referral_followup", __name__, url_prefix="/referrals", cli_group=None)


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/mine", view_func=routes.mine, methods=["GET"])
blueprint.add_url_rule(
    "/<uuid:referral_id>/acknowledge", view_func=routes.acknowledge, methods=["POST"]
)
blueprint.add_url_rule("/overdue", view_func=routes.organisation_overdue, methods=["GET"])
blueprint.add_url_rule(
    "/figures", endpoint="figures", view_func=routes.figures_page, methods=["GET"]
)
