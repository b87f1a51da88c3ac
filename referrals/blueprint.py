"""The referrals blueprint: making referrals from a case, the referrer's view, the provider
inbox and the provider's answers (pages under /referrals, commands ``homeward referrals``)."""

from __future__ import annotations

from flask import Blueprint

from referrals import provider_routes, routes

blueprint = Blueprint("referrals", __name__, url_prefix="/referrals", cli_group="referrals")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule(
    "/cases/<uuid:case_id>/new", view_func=routes.choose_service, methods=["GET"]
)
blueprint.add_url_rule(
    "/cases/<uuid:case_id>/new/<uuid:service_id>", methods=["GET", "POST"], view_func=routes.new
)
blueprint.add_url_rule(
    "/cases/<uuid:case_id>/new/<uuid:service_id>/preview",
    view_func=routes.preview,
    methods=["POST"],
)
blueprint.add_url_rule(
    "/cases/<uuid:case_id>/new/<uuid:service_id>/send", view_func=routes.send, methods=["POST"]
)
blueprint.add_url_rule("/<uuid:referral_id>/sent", view_func=routes.case_view, methods=["GET"])
blueprint.add_url_rule(
    "/<uuid:referral_id>/plan-action-done",
    view_func=routes.mark_action_done,
    methods=["POST"],
)
blueprint.add_url_rule(
    "/<uuid:referral_id>/cancel", methods=["GET", "POST"], view_func=routes.cancel
)
blueprint.add_url_rule("/inbox", view_func=provider_routes.inbox, methods=["GET"])
blueprint.add_url_rule("/<uuid:referral_id>", view_func=provider_routes.view, methods=["GET"])
blueprint.add_url_rule(
    "/<uuid:referral_id>/accept", view_func=provider_routes.accept, methods=["POST"]
)
blueprint.add_url_rule(
    "/<uuid:referral_id>/decline", view_func=provider_routes.decline, methods=["POST"]
)
blueprint.add_url_rule(
    "/<uuid:referral_id>/complete", view_func=provider_routes.complete, methods=["POST"]
)
blueprint.add_url_rule(
    "/<uuid:referral_id>/not-completed", view_func=provider_routes.not_completed, methods=["POST"]
)
