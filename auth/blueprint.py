"""The auth blueprints: sign-in (views in routes.py, account_routes.py, link_routes.py) and,
nested in it, user administration under /admin (views in admin_routes.py)."""

from __future__ import annotations

from flask import Blueprint

from auth import account_routes, admin_routes, link_routes, lists_routes, routes, zone_routes

blueprint = Blueprint("auth", __name__)
admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")
blueprint.register_blueprint(admin_blueprint)


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule(
    "/invitation/<token>", methods=["GET", "POST"], view_func=link_routes.accept_invitation
)
blueprint.add_url_rule(
    "/password-reset", methods=["GET", "POST"], view_func=link_routes.request_password_reset
)
blueprint.add_url_rule(
    "/password-reset/<token>", methods=["GET", "POST"], view_func=link_routes.reset_password
)
blueprint.add_url_rule(
    "/enrolment/<token>", methods=["GET", "POST"], view_func=link_routes.enrolment_link
)
blueprint.add_url_rule("/login", methods=["GET", "POST"], view_func=routes.login)
blueprint.add_url_rule("/language", view_func=routes.choose_language, methods=["POST"])
blueprint.add_url_rule(
    "/login/second-factor", methods=["GET", "POST"], view_func=routes.second_factor
)
blueprint.add_url_rule("/login/enrol", methods=["GET", "POST"], view_func=routes.enrol)
blueprint.add_url_rule("/logout", view_func=routes.logout, methods=["POST"])
blueprint.add_url_rule("/session/keep-alive", view_func=routes.keep_alive, methods=["POST"])
admin_blueprint.add_url_rule("/users", methods=["GET", "POST"], view_func=admin_routes.users)
admin_blueprint.add_url_rule("/users/new", methods=["GET", "POST"], view_func=admin_routes.invite)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>", methods=["GET", "POST"], view_func=admin_routes.user
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/deactivate", view_func=admin_routes.deactivate, methods=["POST"]
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/reactivate", view_func=admin_routes.reactivate, methods=["POST"]
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/unlock", view_func=admin_routes.unlock, methods=["POST"]
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/reset-mfa", view_func=admin_routes.reset_mfa, methods=["POST"]
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/end-sessions", view_func=admin_routes.end_sessions, methods=["POST"]
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/resend-invitation",
    view_func=admin_routes.resend_invitation,
    methods=["POST"],
)
admin_blueprint.add_url_rule(
    "/users/<uuid:user_id>/sessions/<uuid:session_id>/end",
    view_func=admin_routes.end_session,
    methods=["POST"],
)
admin_blueprint.add_url_rule(
    "/organisations", view_func=admin_routes.organisations, methods=["GET"]
)
admin_blueprint.add_url_rule(
    "/organisations/new", methods=["GET", "POST"], view_func=admin_routes.new_organisation
)
admin_blueprint.add_url_rule(
    "/organisations/<uuid:org_id>", methods=["GET", "POST"], view_func=admin_routes.organisation
)
admin_blueprint.add_url_rule("/lists", view_func=lists_routes.lists, methods=["GET"])
admin_blueprint.add_url_rule("/lists/<name>", view_func=lists_routes.list_entries, methods=["GET"])
admin_blueprint.add_url_rule(
    "/lists/<name>/new",
    methods=["GET", "POST"],
    view_func=lists_routes.new_list_entry,
)
admin_blueprint.add_url_rule(
    "/lists/<name>/entries/<code>",
    methods=["GET", "POST"],
    view_func=lists_routes.list_entry,
)
admin_blueprint.add_url_rule(
    "/lists/<name>/entries/<code>/retire",
    view_func=lists_routes.retire_list_entry,
    methods=["POST"],
)
admin_blueprint.add_url_rule(
    "/lists/<name>/entries/<code>/offer",
    view_func=lists_routes.offer_list_entry,
    methods=["POST"],
)
blueprint.add_url_rule("/account", view_func=account_routes.account, methods=["GET"])
blueprint.add_url_rule("/account/time-zone", view_func=zone_routes.set_time_zone, methods=["POST"])
blueprint.add_url_rule(
    "/account/language", view_func=account_routes.account_language, methods=["POST"]
)
blueprint.add_url_rule(
    "/account/sign-out-everywhere", view_func=account_routes.sign_out_everywhere, methods=["POST"]
)
blueprint.add_url_rule(
    "/account/password", methods=["GET", "POST"], view_func=account_routes.change_password
)
blueprint.add_url_rule(
    "/account/second-factor",
    methods=["GET", "POST"],
    view_func=account_routes.replace_second_factor,
)
blueprint.add_url_rule(
    "/account/second-factor/confirm",
    methods=["GET", "POST"],
    view_func=account_routes.confirm_second_factor,
)
