"""Hypothesis-generated input on every directory form and filter: never a 500, never markup."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.casework.test_fuzzing import NASTY
from tests.factories import csrf_token, post_form

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ORG_FIELDS = [
    "name",
    "alternate_name",
    "description",
    "email",
    "phone",
    "url",
    "country",
    "link",
    "version",
]
LOCATION_FIELDS = [
    "name",
    "address_1",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "version",
]
SERVICE_FIELDS = [
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "status",
    "types",
    "languages",
    "areas",
    "location_ids",
    "eligibility_description",
    "application_process",
    "fees_description",
    "capacity",
    "contact_name",
    "email",
    "phone",
    "url",
    "version",
]
FILTERS = ["type", "area", "language", "organization", "country", "status", "q"]


def _assert_safe(response) -> None:
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x onerror" not in body


def _post_safely(client, path: str, data: dict, token: str):
    response = post_form(client, path, data, token=token)
    _assert_safe(response)
    if response.status_code == 302:
        _assert_safe(client.get(response.headers["Location"]))
    return response


@FUZZ
@given(values=st.dictionaries(st.sampled_from(ORG_FIELDS), NASTY, min_size=1, max_size=6))
def test_organization_forms(as_admin, directory, values):
    token = csrf_token(as_admin, "/directory/manage/")
    _post_safely(
        as_admin,
        "/directory/manage/organizations/new",
        {"name": "F", "country": "XK", **values},
        token,
    )
    _post_safely(as_admin, f"/directory/manage/organizations/{directory.ngo.id}", values, token)


@FUZZ
@given(values=st.dictionaries(st.sampled_from(LOCATION_FIELDS), NASTY, min_size=1, max_size=6))
def test_location_form(as_admin, directory, values):
    token = csrf_token(as_admin, "/directory/manage/")
    path = f"/directory/manage/organizations/{directory.clinic.id}/locations/new"
    _post_safely(as_admin, path, {"name": "L", "country": "XK", **values}, token)


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(SERVICE_FIELDS),
        st.one_of(NASTY, st.lists(NASTY, max_size=3)),
        min_size=1,
        max_size=8,
    )
)
def test_service_forms(as_admin, directory, values):
    token = csrf_token(as_admin, "/directory/manage/")
    base = {
        "organization_id": str(directory.clinic.id),
        "name": "S",
        "status": "active",
        "types": ["legal"],
    }
    path = f"/directory/manage/organizations/{directory.clinic.id}/services/new"
    _post_safely(as_admin, path, {**base, **values}, token)
    _post_safely(
        as_admin, f"/directory/manage/services/{directory.legal.id}", {**base, **values}, token
    )


@FUZZ
@given(values=st.dictionaries(st.sampled_from(FILTERS), NASTY, max_size=5))
def test_browse_filters(as_admin, directory, values):
    _assert_safe(as_admin.get("/directory/", query_string=values))


@FUZZ
@given(
    files=st.dictionaries(
        st.sampled_from(
            [
                "organizations.csv",
                "services.csv",
                "languages.csv",
                "service_areas.csv",
                "locations.csv",
            ]
        ),
        st.one_of(
            NASTY, st.just("id,name,country\n"), st.just("id,organization_id,name,status\n,,,\n")
        ),
        max_size=4,
    ),
    dry_run=st.booleans(),
)
def test_import_form(as_admin, files, dry_run):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    token = csrf_token(as_admin, "/directory/manage/import")
    data = {"csrf_token": token, "archive": (io.BytesIO(buffer.getvalue()), "d.zip")}
    if dry_run:
        data["dry_run"] = "y"
    _assert_safe(
        as_admin.post("/directory/manage/import", data=data, content_type="multipart/form-data")
    )
