"""The figures pages on real skeleton rows (reports.indicators): a supervisor's page counts the
own organisation's cases only, the analyst's every organisation or the one chosen; the page,
the CSV and the XLSX publish the same protected numbers."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from core.permissions import Role
from tests.factories import make_account, make_organisation, sign_in
from tests.reports.indicator_fixtures import many


@pytest.fixture
def two_agencies(app, db_session):
    """Agency A: 12 returnees, 6 presumed victims and 2 identified victims registered in
    2026-11; agency B: 7 identified victims in 2026-11 and 9 in 2026-10."""
    a = make_organisation(app, db_session, agency=True)
    b = make_organisation(app, db_session, agency=True)
    many(db_session, a.id, 12, case_type="returnee", registered_month="2026-11", sex="female")
    many(db_session, a.id, 6, case_type="presumed_victim", registered_month="2026-11", sex="male")
    many(db_session, a.id, 2, case_type="identified_victim", registered_month="2026-11")
    many(db_session, b.id, 7, case_type="identified_victim", registered_month="2026-11")
    many(db_session, b.id, 9, case_type="identified_victim", registered_month="2026-10")
    db_session.commit()
    return a, b


def client_of(app, db_session, role, organisation=None):
    account = make_account(app, db_session, role, organisation=organisation)
    client = app.test_client()
    sign_in(client, account, db_session)
    return client


def by_case_type(client, path):
    """(row -> people) of the case-type table as the CSV download publishes it."""
    response = client.get(f"{path}&format=csv&table=registered_by_case_type")
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    return {row[0]: row[1] for row in rows[1:]}


def test_the_supervisor_counts_the_own_organisation_only(app, db_session, two_agencies):
    a, b = two_agencies
    client = client_of(app, db_session, Role.SUPERVISOR, organisation=a)
    counts = by_case_type(client, "/reports/team?start=2026-11")
    assert counts["Returnee"] == "12"
    assert counts["Identified victim of trafficking"] == "<5"  # agency B's 16 are not counted
    assert (
        counts["Presumed victim of trafficking"] == "x"
    )  # it would give the "<5" back from the total
    assert counts["Total"] == "20"
    # The organisation cannot be chosen on the team page (400), never widened.
    assert client.get(f"/reports/team?start=2026-11&organisation={b.id}").status_code == 400


def test_the_analyst_counts_every_organisation_or_the_one_chosen(app, db_session, two_agencies):
    _a, b = two_agencies
    client = client_of(app, db_session, Role.ANALYST)
    counts = by_case_type(client, "/reports/national?start=2026-10&end=2026-11")
    assert counts["Identified victim of trafficking"] == "18" and counts["Returnee"] == "12"
    counts = by_case_type(client, f"/reports/national?start=2026-11&organisation={b.id}")
    assert counts["Identified victim of trafficking"] == "7" and counts["Returnee"] == "0"


def test_page_csv_and_xlsx_publish_the_same_protected_numbers(app, db_session, two_agencies):
    a, _b = two_agencies
    client = client_of(app, db_session, Role.SUPERVISOR, organisation=a)
    page = client.get("/reports/team?start=2026-11")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    start = body.index('id="figure-registered_by_case_type"')
    table = body[start : body.index("</table>", start)]
    shown = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*>([^<]*)</td>', table))
    shown = {k: v.replace("&lt;", "<") for k, v in shown.items()}
    assert shown["Returnee"] == "12" and shown["Identified victim of trafficking"] == "<5"
    assert shown["Presumed victim of trafficking"] == "x"
    assert by_case_type(client, "/reports/team?start=2026-11") == shown
    book = load_workbook(io.BytesIO(client.get("/reports/team?start=2026-11&format=xlsx").data))
    sheet = book["registered_by_case_type"]
    published = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert published["Returnee"] == 12 and published["Identified victim of trafficking"] == "<5"
    assert {k: str(v) for k, v in published.items()} == shown
    assert "People registered" in body  # the headline
    assert 'role="img"' in body
