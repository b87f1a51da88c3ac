"""Managing the directory through the administrator's forms: validation, locking, audit."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from referrals.directory.models import DirectoryOrganization, Location, Service
from tests.factories import make_organisation, post_form


def _directory_events(db):
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("directory.%")).order_by(AuditEvent.seq)
    ).all()


def test_admin_builds_an_organization_location_and_service(as_admin, db_session, app):
    provider = make_organisation(app, db_session, agency=False, provider=True)
    response = post_form(
        as_admin,
        "/directory/manage/organizations/new",
        {
            "name": "Clinic of Peja",
            "country": "xk",
            "link": str(provider.id),
            "url": "https://x.test",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    org = db_session.scalar(
        select(DirectoryOrganization).where(DirectoryOrganization.name == "Clinic of Peja")
    )
    assert org.country == "XK" and org.organisation_id == provider.id
    base = f"/directory/manage/organizations/{org.id}"
    assert (
        post_form(
            as_admin, f"{base}/locations/new", {"name": "Main", "country": "XK", "city": "Peja"}
        ).status_code
        == 302
    )
    location = db_session.scalar(select(Location).where(Location.organization_id == org.id))
    response = post_form(
        as_admin,
        f"{base}/services/new",
        {
            "organization_id": str(org.id),
            "name": "Dental care",
            "status": "active",
            "types": ["health"],
            "languages": ["sq", "en"],
            "areas": "Peja, XK\nDeçan, XK",
            "location_ids": [str(location.id)],
            "capacity": "4",
            "email": "dental@clinic.test",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    service = db_session.scalar(select(Service).where(Service.name == "Dental care"))
    assert service.type_codes == ["health"]
    assert service.language_codes == ["en", "sq"]
    assert sorted(a.service_area for a in service.areas) == ["Deçan", "Peja"]
    assert [sal.location_id for sal in service.at_locations] == [location.id]
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dental care" in page and "Edit the service" in page
    events = _directory_events(db_session)
    assert [e.action for e in events] == [
        "directory.organization_created",
        "directory.location_created",
        "directory.service_created",
        "directory.service_viewed",
    ]
    assert events[0].object_id == str(org.id)
    assert events[2].object_type == "directory_service"
    for event in events:  # ids and field names only
        assert "Dental" not in (event.details or "") and "@" not in (event.details or "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "QQ", "Choose a country from the list"),
        ("country", "", "This field is required"),
        ("email", "not-an-address", "Type an e-mail address."),
        ("url", "javascript:alert(1)", "Type a web address"),
        ("phone", "call me", "Digits, spaces"),
        ("name", "", "This field is required"),
    ],
)
def test_organization_form_validation(as_admin, field, value, message):
    data = {"name": "Org", "country": "XK", field: value}
    response = post_form(as_admin, "/directory/manage/organizations/new", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_link_must_be_a_provider_and_unique(as_admin, app, db_session, directory):
    agency = make_organisation(app, db_session, agency=True, provider=False)
    response = post_form(
        as_admin,
        "/directory/manage/organizations/new",
        {"name": "X", "country": "XK", "link": str(agency.id)},
    )
    assert response.status_code == 400  # not among the choices
    response = post_form(
        as_admin,
        "/directory/manage/organizations/new",
        {"name": "X", "country": "XK", "link": str(directory.provider.id)},
    )
    assert response.status_code == 400
    assert "already linked to another directory entry" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("languages", ["sq", "klingon"], "Choose languages from the list"),
        ("areas", "Prishtina", "Write one area per line"),
        ("areas", "Prishtina, QQ", "Write one area per line"),
        ("capacity", "-3", "Number must be between 0 and 100000"),
        ("types", [], "Choose at least one type of service."),
        ("status", "closed", "Not a valid choice"),
        ("location_ids", ["00000000-0000-0000-0000-000000000001"], "is not a valid choice"),
    ],
)
def test_service_form_validation(as_admin, directory, field, value, message):
    data = {
        "organization_id": str(directory.clinic.id),
        "name": "S",
        "status": "active",
        "types": ["legal"],
        field: value,
    }
    response = post_form(
        as_admin, f"/directory/manage/organizations/{directory.clinic.id}/services/new", data
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_service_at_a_location_of_another_organization_is_refused(as_admin, directory, db_session):
    other = db_session.scalar(
        select(Location).where(Location.organization_id == directory.clinic.id)
    )
    data = {
        "organization_id": str(directory.ngo.id),  # moved to the NGO, keeping the clinic's location
        "name": "Trauma counselling",
        "status": "active",
        "types": ["mental_health"],
        "location_ids": [str(other.id)],
        "version": str(directory.counselling.version),
    }
    response = post_form(as_admin, f"/directory/manage/services/{directory.counselling.id}", data)
    assert response.status_code == 400
    assert "Choose locations of the same organisation." in response.get_data(as_text=True)


def test_edit_records_changed_fields(as_admin, db_session, directory):
    url = f"/directory/manage/services/{directory.counselling.id}"
    page = as_admin.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {
        "organization_id": str(directory.clinic.id),
        "name": "Trauma counselling",
        "status": "temporarily closed",
        "types": ["mental_health"],
        "languages": ["sq", "en", "sr"],
        "areas": "Prishtina, XK",
        "location_ids": [str(sal.location_id) for sal in directory.counselling.at_locations],
        "capacity": "10",
        "description": "Individual sessions",
        "eligibility_description": "Adults who returned",
        "version": version,
    }
    response = post_form(as_admin, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    event = _directory_events(db_session)[-1]
    assert event.action == "directory.service_updated"
    assert json.loads(event.details)["fields"] == ["status", "languages"]
    db_session.refresh(directory.counselling)
    assert directory.counselling.status == "temporarily closed"


def test_concurrent_edit_gets_a_conflict_not_an_overwrite(as_admin, db_session, directory):
    url = f"/directory/manage/organizations/{directory.ngo.id}"
    stale = str(directory.ngo.version)
    first = post_form(
        as_admin, url, {"name": "Berlin Haven e.V.", "country": "DE", "version": stale}
    )
    assert first.status_code == 302
    second = post_form(as_admin, url, {"name": "Haven Berlin", "country": "DE", "version": stale})
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "Someone else saved this section while you were editing" in body
    assert "Berlin Haven e.V." in body and "Haven Berlin" in body
    db_session.expire_all()
    assert db_session.get(DirectoryOrganization, directory.ngo.id).name == "Berlin Haven e.V."


def test_location_edit_and_conflict(as_admin, db_session, directory):
    location = db_session.scalar(
        select(Location).where(Location.organization_id == directory.clinic.id)
    )
    url = f"/directory/manage/locations/{location.id}"
    ok = post_form(
        as_admin,
        url,
        {"name": "Centre", "country": "XK", "latitude": "42.66", "version": str(location.version)},
    )
    assert ok.status_code == 302
    bad = post_form(
        as_admin, url, {"name": "Centre", "country": "XK", "latitude": "200", "version": "1"}
    )
    assert bad.status_code == 400
    stale = post_form(as_admin, url, {"name": "Other", "country": "XK", "version": "1"})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/directory/manage/organizations/00000000-0000-0000-0000-000000000000",
        "/directory/manage/locations/00000000-0000-0000-0000-000000000000",
        "/directory/manage/services/00000000-0000-0000-0000-000000000000",
        "/directory/manage/organizations/00000000-0000-0000-0000-000000000000/services/new",
    ],
)
def test_unknown_objects_are_404(as_admin, path):
    assert as_admin.get(path).status_code == 404


def test_manage_pages_render(as_admin, directory):
    body = as_admin.get("/directory/manage/").get_data(as_text=True)
    assert "Hope Clinic" in body and "Listed only" in body and "Linked" in body
    body = as_admin.get(f"/directory/manage/organizations/{directory.clinic.id}").get_data(
        as_text=True
    )
    assert "Trauma counselling" in body and "Centre" in body
    assert as_admin.get(f"/directory/manage/services/{directory.counselling.id}").status_code == 200
    assert as_admin.get("/directory/manage/import").status_code == 200


@pytest.mark.parametrize("field", ["name", "description", "city"])
def test_control_characters_are_refused_not_a_500(as_admin, directory, field):
    data = {"name": "Org", "country": "XK", field: "bad\x00text"}
    path = "/directory/manage/organizations/new"
    if field == "city":
        path = f"/directory/manage/organizations/{directory.clinic.id}/locations/new"
    response = post_form(as_admin, path, data)
    assert response.status_code == 400
