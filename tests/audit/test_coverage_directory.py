"""Directory actions produce exactly the expected audit events (browsing included).

Kept beside test_coverage_casework.py, in the same table-driven shape, so the two domains'
rows merge without touching each other.
"""

from __future__ import annotations

import io

import pytest

from core.permissions import Role
from referrals.directory.manage import (
    OrganizationDetails,
    ServiceDetails,
    save_organization,
    save_service,
)
from tests.factories import post_form, sign_in
from tests.fixtures.audit import QUIET_PAGE, events_after, head_seq


def _service(ctx):
    with ctx["app"].app_context():
        org, _ = save_organization(
            ctx["session"], None, OrganizationDetails(name="Org", country="XK")
        )
        service, _ = save_service(
            ctx["session"],
            None,
            ServiceDetails(organization_id=org.id, name="Help", types=["legal"]),
        )
        ctx["session"].commit()
    return org, service


def directory_searched(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get("/directory/?type=legal")), [
        ("directory.searched", "ok", "directory_service")
    ]


def service_viewed(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.SUPERVISOR))
    _org, service = _service(ctx)
    return (lambda: ctx["client"].get(f"/directory/services/{service.id}")), [
        ("directory.service_viewed", "ok", "directory_service")
    ]


def organization_created(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    data = {"name": "New Org", "country": "AL"}
    return (
        lambda: post_form(
            ctx["client"], "/directory/manage/organizations/new", data, token_from=QUIET_PAGE
        )
    ), [("directory.organization_created", "ok", "directory_organization")]


def location_created(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    org = _service(ctx)[0]
    path = f"/directory/manage/organizations/{org.id}/locations/new"
    return (
        lambda: post_form(
            ctx["client"], path, {"name": "Office", "country": "XK"}, token_from=QUIET_PAGE
        )
    ), [("directory.location_created", "ok", "directory_location")]


def service_updated(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    org, service = _service(ctx)
    data = {
        "organization_id": str(org.id),
        "name": "Help",
        "status": "defunct",
        "types": ["legal"],
        "version": str(service.version),
    }
    return (
        lambda: post_form(
            ctx["client"], f"/directory/manage/services/{service.id}", data, token_from=QUIET_PAGE
        )
    ), [("directory.service_updated", "ok", "directory_service")]


def directory_exported(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    _service(ctx)
    return (lambda: ctx["client"].get("/directory/manage/export")), [
        ("directory.exported", "ok", "directory")
    ]


def directory_import_refused(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.ADMINISTRATOR))
    data = {"archive": (io.BytesIO(b"not a zip"), "d.zip")}
    return (
        lambda: post_form(
            ctx["client"],
            "/directory/manage/import",
            data,
            content_type="multipart/form-data",
            token_from=QUIET_PAGE,
        )
    ), [("directory.imported", "failed", "directory")]


def manage_refused(ctx):
    sign_in(ctx["client"], ctx["make_account"](Role.CASEWORKER))
    return (lambda: ctx["client"].get("/directory/manage/")), [("access.denied", "denied", None)]


SCENARIOS = [
    directory_searched,
    service_viewed,
    organization_created,
    location_created,
    service_updated,
    directory_exported,
    directory_import_refused,
    manage_refused,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_directory_action_produces_exactly_the_expected_events(
    app, client, db_session, make_account, scenario
):
    ctx = {"app": app, "client": client, "session": db_session, "make_account": make_account}
    act, expected = scenario(ctx)
    before = head_seq(db_session)
    act()
    events = events_after(db_session, before)
    assert [(e.action, e.outcome, e.object_type) for e in events] == expected
