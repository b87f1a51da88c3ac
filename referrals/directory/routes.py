"""Directory pages everyone signed in may see: the filtered list and a service's page."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from audit import record
from core.db import get_session
from core.extensions import NavItem
from core.forms import parse_uuid
from core.lists import queries as lists
from core.permissions import Permission
from core.security import current_actor, require
from referrals.directory import codes, vocabulary
from referrals.directory.models import DirectoryOrganization, Service
from referrals.directory.services import ServiceFilters, search_services
from referrals.directory.vocabulary import SERVICE_TYPES, ServiceStatus

LIST_LIMIT = 200
FILTER_NAMES = ("type", "area", "language", "organization", "country", "status", "q")


def filters_from(args: Mapping[str, str], kinds: set[str]) -> tuple[ServiceFilters, dict[str, str]]:
    """The filters of a query string; values that cannot match anything are dropped."""
    kept: dict[str, str] = {}
    for name in FILTER_NAMES:
        value = (args.get(name) or "").strip()[:100]
        if value:
            kept[name] = value
    if kept.get("type") not in kinds:
        kept.pop("type", None)
    if kept.get("status") not in {s.value for s in ServiceStatus}:
        kept.pop("status", None)
    if "country" in kept and not codes.is_country(kept["country"]):
        kept.pop("country")
    if "language" in kept and not codes.is_language(kept["language"]):
        kept.pop("language")
    organization_id = parse_uuid(kept.get("organization"))
    if organization_id is None:
        kept.pop("organization", None)
    filters = ServiceFilters(
        kind=kept.get("type"),
        area=kept.get("area"),
        language=kept.get("language"),
        organization_id=organization_id,
        country=kept.get("country"),
        status=kept.get("status"),
        text=kept.get("q"),
    )
    return filters, kept


@require(Permission.DIRECTORY_VIEW)
def index() -> ResponseReturnValue:
    db = get_session()
    filters, args = filters_from(request.args, lists.known(db, SERVICE_TYPES))
    services = search_services(db, filters, limit=LIST_LIMIT)
    record(
        db,
        "directory.searched",
        object_type="directory_service",
        details={"filters": sorted(args), "results": len(services)},
    )
    organizations = db.scalars(
        select(DirectoryOrganization).order_by(DirectoryOrganization.name)
    ).all()
    actor = current_actor()
    return render_template(
        "directory/index.html",
        services=services,
        args=args,
        organizations=organizations,
        kinds=lists.choices(db, SERVICE_TYPES, keep=[args.get("type", "")]),
        statuses=vocabulary.choices(ServiceStatus),
        can_manage=actor is not None and actor.can(Permission.DIRECTORY_MANAGE),
        limit=LIST_LIMIT,
    )


@require(Permission.DIRECTORY_VIEW)
def service(service_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = db.get(Service, service_id)
    if found is None:
        abort(404)
    record(db, "directory.service_viewed", object_type="directory_service", object_id=found.id)
    actor = current_actor()
    return render_template(
        "directory/service.html",
        service=found,
        can_manage=actor is not None and actor.can(Permission.DIRECTORY_MANAGE),
    )


def navigation(_sender: object, **_extra: object) -> list[NavItem]:
    """Receiver of ``core.signals.navigation_collecting``: the service directory."""
    return [
        # After the administration entries: the first entry is where a role lands after sign-in.
        NavItem("directory.index", _l("Service directory"), Permission.DIRECTORY_VIEW, 50),
    ]
