"""HSDS CSV exchange: export -> import into an empty directory gives the same data; a file with
errors is reported line by line and nothing of it is imported."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import delete, func, select

from audit.models import AuditEvent
from referrals.directory import hsds
from referrals.directory.models import (
    DirectoryOrganization,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTypeTerm,
)

MODELS = [
    ServiceAtLocation,
    ServiceArea,
    ServiceLanguage,
    ServiceTypeTerm,
    Service,
    Location,
    DirectoryOrganization,
]


def snapshot(db) -> dict:
    """Everything the directory holds, without versions and timestamps."""
    db.expire_all()
    orgs = {
        str(o.id): (
            o.name,
            o.alternate_name,
            o.description,
            o.email,
            o.url,
            o.phone,
            o.country,
            o.organisation_id,
        )
        for o in db.scalars(select(DirectoryOrganization))
    }
    locations = {
        str(x.id): (
            x.organization_id,
            x.name,
            x.address_1,
            x.city,
            x.region,
            x.postal_code,
            x.country,
            x.latitude,
            x.longitude,
        )
        for x in db.scalars(select(Location))
    }
    services = {
        str(s.id): (
            s.organization_id,
            s.name,
            s.alternate_name,
            s.description,
            s.url,
            s.email,
            s.phone,
            s.contact_name,
            s.status,
            s.eligibility_description,
            s.application_process,
            s.fees_description,
            s.capacity,
            tuple(s.type_codes),
            tuple(s.language_codes),
            tuple(sorted((str(a.id), a.service_area, a.country) for a in s.areas)),
            tuple(sorted((str(x.id), str(x.location_id)) for x in s.at_locations)),
        )
        for s in db.scalars(select(Service))
    }
    return {"orgs": orgs, "locations": locations, "services": services}


def wipe(db) -> None:
    for model in MODELS:
        db.execute(delete(model))
    db.commit()


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist()}


def test_export_uses_hsds_files_and_columns(app, db_session, directory):
    with app.app_context():
        files = unzip(hsds.export_zip(db_session, None))
    assert set(files) == set(hsds.COLUMNS)
    header = next(csv.reader(io.StringIO(files["services.csv"])))
    assert header[:6] == ["id", "organization_id", "name", "alternate_name", "description", "url"]
    assert {
        "status",
        "eligibility_description",
        "application_process",
        "fees_description",
        "capacity",
    } <= set(header)
    rows = list(csv.DictReader(io.StringIO(files["service_attributes.csv"])))
    assert {r["taxonomy_term_id"] for r in rows} == {
        "mental_health",
        "legal",
        "documentation",
        "shelter",
    }
    langs = list(csv.DictReader(io.StringIO(files["languages.csv"])))
    assert sorted(r["language"] for r in langs) == ["ar", "de", "en", "sq", "sr"]
    orgs = {r["name"]: r for r in csv.DictReader(io.StringIO(files["organizations.csv"]))}
    assert orgs["Hope Clinic"]["homeward_organisation"] == directory.provider.code
    assert orgs["Berlin Haven"]["homeward_organisation"] == ""


def test_round_trip_into_an_empty_directory(app, db_session, directory):
    before = snapshot(db_session)
    with app.app_context():
        data = hsds.export_zip(db_session, None)
        wipe(db_session)
        assert snapshot(db_session) == {"orgs": {}, "locations": {}, "services": {}}
        report = hsds.import_zip(db_session, None, data)
        db_session.commit()
    assert report.errors == [] and report.applied
    assert report.counts["services"] == 3 and report.counts["languages"] == 5
    assert snapshot(db_session) == before
    # importing the same archive again changes nothing (ids upsert)
    with app.app_context():
        again = hsds.import_zip(db_session, None, data)
        db_session.commit()
    assert again.applied and snapshot(db_session) == before


def test_import_updates_by_id_and_replaces_the_lists_it_names(app, db_session, directory):
    with app.app_context():
        files = unzip(hsds.export_zip(db_session, None))
    files["services.csv"] = files["services.csv"].replace("Night shelter", "Night shelter Berlin")
    files["languages.csv"] = "id,service_id,language\n" + f",{directory.shelter.id},uk\n"
    with app.app_context():
        report = hsds.import_zip(db_session, None, zip_of(files))
        db_session.commit()
    assert report.errors == []
    db_session.expire_all()
    shelter = db_session.get(Service, directory.shelter.id)
    assert shelter.name == "Night shelter Berlin"
    assert shelter.language_codes == ["uk"]
    # every service of services.csv now has exactly the languages languages.csv gives it
    assert db_session.get(Service, directory.counselling.id).language_codes == []
    assert db_session.scalar(select(func.count()).select_from(Service)) == 3


BAD_ORGS = """id,name,alternate_name,description,email,url,phone,country,homeward_organisation
11111111-1111-1111-1111-111111111111,Good Org,,,,,,XK,
not-a-uuid,Bad Id,,,,,,XK,
22222222-2222-2222-2222-222222222222,,,,,,,XK,
33333333-3333-3333-3333-333333333333,Bad Country,,,,,,QQ,
44444444-4444-4444-4444-444444444444,Bad Mail,,,nobody,,,XK,
55555555-5555-5555-5555-555555555555,Bad Link,,,,,,XK,NOSUCH
11111111-1111-1111-1111-111111111111,Twice,,,,,,XK,
"""
BAD_SERVICES = """id,organization_id,name,status,capacity,url
aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,11111111-1111-1111-1111-111111111111,Fine,active,3,
bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb,11111111-1111-1111-1111-111111111111,Bad status,open,,
cccccccc-cccc-cccc-cccc-cccccccccccc,99999999-9999-9999-9999-999999999999,Orphan,active,,
dddddddd-dddd-dddd-dddd-dddddddddddd,11111111-1111-1111-1111-111111111111,Bad capacity,active,-1,
eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee,11111111-1111-1111-1111-111111111111,Bad url,active,,ftp://x
"""
BAD_LANGUAGES = """id,service_id,language
,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,sq
,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,zz9
,ffffffff-ffff-ffff-ffff-ffffffffffff,en
,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,sq
"""
BAD_ATTRIBUTES = """id,service_id,taxonomy_term_id
,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,teleportation
"""
BAD_AREAS = """id,service_id,service_area
,aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,Peja
"""


def test_every_bad_line_is_reported_and_nothing_imported(app, db_session, directory):
    before = snapshot(db_session)
    data = zip_of(
        {
            "organizations.csv": BAD_ORGS,
            "services.csv": BAD_SERVICES,
            "languages.csv": BAD_LANGUAGES,
            "service_attributes.csv": BAD_ATTRIBUTES,
            "service_areas.csv": BAD_AREAS,
        }
    )
    with app.app_context():
        report = hsds.import_zip(db_session, None, data)
        db_session.commit()
    assert not report.applied
    lines = [e.split(":")[0] for e in report.errors]
    assert lines == [
        "organizations.csv, line 3",
        "organizations.csv, line 4",
        "organizations.csv, line 5",
        "organizations.csv, line 6",
        "organizations.csv, line 7",
        "organizations.csv, line 8",
        "services.csv, line 3",
        "services.csv, line 5",
        "services.csv, line 6",
        "languages.csv, line 3",
        "languages.csv, line 4",
        "languages.csv, line 5",
        "service_areas.csv, line 1",
        "service_attributes.csv, line 2",
        "services.csv, line 4",
    ], report.errors
    text = "\n".join(report.errors)
    for fragment in (
        "id is not a UUID",
        "name is empty",
        "country 'QQ' is not an ISO 3166-1 alpha-2 code",
        "email is not an e-mail address",
        "homeward_organisation is not the code of a provider organisation",
        "appears twice",
        "status must be one of active, inactive, defunct, temporarily closed",
        "capacity is not a whole number",
        "url does not start with http",
        "language 'zz9' is not an ISO 639 code",
        "service_id is not a service of services.csv or of the directory",
        "repeats an earlier row",
        "missing column(s) country",
        "taxonomy_term_id 'teleportation'",
        "organization_id is not an organisation",
    ):
        assert fragment in text, fragment
    assert snapshot(db_session) == before


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"not a zip", "archive: not a zip file"),
        (
            zip_of({"organizations.csv": "id,name,country\n"}),
            "services.csv: missing from the archive",
        ),
        (
            zip_of({"organizations.csv": "\xff", "services.csv": ""}),
            "services.csv, line 1: missing column(s)",
        ),
    ],
    # Named, not shown by their bytes: a zip holds the time it was made, and two pytest-xdist
    # workers collecting a second apart then disagree on the tests' names and the run stops.
    ids=["not-a-zip", "no-services", "bad-columns"],
)
def test_broken_archives(app, db_session, data, error):
    with app.app_context():
        report = hsds.import_zip(db_session, None, data)
    assert any(e.startswith(error) for e in report.errors), report.errors


def test_dry_run_imports_nothing(app, db_session, directory):
    with app.app_context():
        data = hsds.export_zip(db_session, None)
        wipe(db_session)
        report = hsds.import_zip(db_session, None, data, dry_run=True)
    assert report.ok and not report.applied and report.counts["organizations"] == 2
    assert snapshot(db_session)["orgs"] == {}


def test_cli_export_and_import(app, db_session, directory, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "directory.zip"
    result = runner.invoke(args=["directory", "export", str(path)])
    assert result.exit_code == 0, result.output
    assert "services.csv" in unzip(path.read_bytes())
    result = runner.invoke(args=["directory", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "dry run" in result.output
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_of({"organizations.csv": BAD_ORGS, "services.csv": BAD_SERVICES}))
    result = runner.invoke(args=["directory", "import", str(bad)])
    assert result.exit_code == 1
    assert "organizations.csv, line 3: id is not a UUID" in result.output
    assert "nothing imported" in result.output
    refused = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "directory.imported").order_by(AuditEvent.seq)
    ).all()
    assert [(e.outcome, json.loads(e.details)) for e in refused] == [("failed", {"errors": 10})]


def test_web_export_and_import(as_admin, db_session, directory):
    response = as_admin.get("/directory/manage/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data = response.get_data()
    token_page = as_admin.get("/directory/manage/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page).group(1)
    bad = as_admin.post(
        "/directory/manage/import",
        data={
            "csrf_token": token,
            "archive": (io.BytesIO(zip_of({"organizations.csv": BAD_ORGS})), "d.zip"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "nothing was imported" in body and "organizations.csv, line 3: id is not a UUID" in body
    dry = as_admin.post(
        "/directory/manage/import",
        data={"csrf_token": token, "dry_run": "y", "archive": (io.BytesIO(data), "d.zip")},
        content_type="multipart/form-data",
    )
    assert dry.status_code == 200 and "The files are valid" in dry.get_data(as_text=True)
    ok = as_admin.post(
        "/directory/manage/import",
        data={"csrf_token": token, "archive": (io.BytesIO(data), "d.zip")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    actions = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(["directory.exported", "directory.imported"]))
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.action, e.outcome) for e in actions] == [
        ("directory.exported", "ok"),
        ("directory.imported", "failed"),
        ("directory.imported", "ok"),
    ]
    assert json.loads(actions[-1].details)["services"] == 3


def test_import_moves_a_provider_link_between_organizations(app, db_session, directory):
    with app.app_context():
        files = unzip(hsds.export_zip(db_session, None))
    code = directory.provider.code
    rows = list(csv.DictReader(io.StringIO(files["organizations.csv"])))
    for row in rows:
        row["homeward_organisation"] = code if row["name"] == "Berlin Haven" else ""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=hsds.COLUMNS["organizations.csv"])
    writer.writeheader()
    writer.writerows(rows)
    files["organizations.csv"] = text.getvalue()
    with app.app_context():
        report = hsds.import_zip(db_session, None, zip_of(files))
        db_session.commit()
    assert report.errors == []
    db_session.expire_all()
    assert (
        db_session.get(DirectoryOrganization, directory.ngo.id).organisation_id
        == directory.provider.id
    )
    assert db_session.get(DirectoryOrganization, directory.clinic.id).organisation_id is None


def test_two_rows_cannot_link_the_same_provider(app, db_session, directory):
    code = directory.provider.code
    orgs = (
        "id,name,country,homeward_organisation\n"
        f"11111111-1111-1111-1111-111111111111,A,XK,{code}\n"
        f"22222222-2222-2222-2222-222222222222,B,XK,{code}\n"
    )
    with app.app_context():
        report = hsds.import_zip(
            db_session,
            None,
            zip_of({"organizations.csv": orgs, "services.csv": "id,organization_id,name,status\n"}),
        )
    assert report.errors == [
        "organizations.csv, line 3: homeward_organisation is linked on line 2 too"
    ]


def test_import_accepts_hsds_3_column_names(app, db_session):
    files = {
        "organizations.csv": "id,name,website,country\n"
        "11111111-1111-1111-1111-111111111111,Org,https://org.test,AL\n",
        "services.csv": "id,organization_id,name,status\n"
        "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,11111111-1111-1111-1111-111111111111,Help,active\n",
        "languages.csv": "id,service_id,name,code\n"
        ",aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,Albanian,sq\n",
    }
    with app.app_context():
        report = hsds.import_zip(db_session, None, zip_of(files))
        db_session.commit()
    assert report.errors == []
    db_session.expire_all()
    service = db_session.scalar(select(Service).where(Service.name == "Help"))
    assert service.organization.url == "https://org.test"
    assert service.language_codes == ["sq"]
