"""The service directory's blueprint (pages under /directory, commands ``homeward directory``)."""

from __future__ import annotations

from flask import Blueprint

from referrals.directory import manage_routes, routes

blueprint = Blueprint("directory", __name__, url_prefix="/directory", cli_group="directory")


# -- the views -----------------------------------------------------------------------------

blueprint.add_url_rule("/", view_func=routes.index, methods=["GET"])
blueprint.add_url_rule("/services/<uuid:service_id>", view_func=routes.service, methods=["GET"])
blueprint.add_url_rule("/manage/", view_func=manage_routes.manage_index, methods=["GET"])
blueprint.add_url_rule(
    "/manage/organizations/new", methods=["GET", "POST"], view_func=manage_routes.new_organization
)
blueprint.add_url_rule(
    "/manage/organizations/<uuid:organization_id>",
    methods=["GET", "POST"],
    view_func=manage_routes.edit_organization,
)
blueprint.add_url_rule(
    "/manage/organizations/<uuid:organization_id>/locations/new",
    methods=["GET", "POST"],
    view_func=manage_routes.new_location,
)
blueprint.add_url_rule(
    "/manage/organizations/<uuid:organization_id>/services/new",
    methods=["GET", "POST"],
    view_func=manage_routes.new_service,
)
blueprint.add_url_rule(
    "/manage/locations/<uuid:location_id>",
    methods=["GET", "POST"],
    view_func=manage_routes.edit_location,
)
blueprint.add_url_rule(
    "/manage/services/<uuid:service_id>",
    methods=["GET", "POST"],
    view_func=manage_routes.edit_service,
)
blueprint.add_url_rule("/manage/export", view_func=manage_routes.export, methods=["GET"])
blueprint.add_url_rule(
    "/manage/import", methods=["GET", "POST"], view_func=manage_routes.import_archive
)
