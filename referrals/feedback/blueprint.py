"""The feedback blueprint: the survey about a referral (case team and provider) and the survey
at closure, under /referrals and /cases."""

from __future__ import annotations

from flask import Blueprint

from referrals.feedback import routes

blueprint = Blueprint("referral_feedback", __name__, cli_group=None)


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule(
    "/referrals/<uuid:referral_id>/feedback",
    view_func=routes.about_referral,
    methods=["GET", "POST"],
)
blueprint.add_url_rule(
    "/referrals/<uuid:referral_id>/provider-feedback",
    view_func=routes.provider_survey,
    methods=["GET", "POST"],
)
blueprint.add_url_rule(
    "/cases/<uuid:case_id>/feedback", view_func=routes.at_closure, methods=["GET", "POST"]
)
