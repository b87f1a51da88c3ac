"""The figures pages: who may open them, whose figures they count (a supervisor: their own
organisation, whatever the request says; an analyst: every one, or the one chosen), the
downloads showing the page's protected numbers, audit without figures, bad filters 400."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from audit.models import AuditEvent
from auth.demo import DEMO_USERS
from auth.models import User
from core.permissions import Role
from reports import routes
from reports.forms import last_complete_month
from reports.tables import Filters
from tests.factories import make_account, make_organisation, post_form, sign_in
from tests.reports.dashboard_fixtures import HEADLINE, sections


@pytest.fixture
def seen(monkeypatch):
    """The filters each request computed its figures with (the hand-built sections shown)."""
    calls = []

    def fake(db, filters, today):
        calls.append(filters)
        return sections(), HEADLINE

    monkeypatch.setattr(routes, "figures_for", fake)
    return calls


def signed_in(app, db_session, role, organisation=None):
    account = make_account(app, db_session, role, organisation=organisation)
    client = app.test_client()
    sign_in(client, account, db_session)
    return client, account


def events(db_session, action):
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def test_a_supervisor_sees_the_own_organisation_only_whatever_the_request_says(
    app, db_session, seen
):
    other = make_organisation(app, db_session, agency=True)
    client, account = signed_in(app, db_session, Role.SUPERVISOR)
    page = client.get(f"/reports/team?start=2026-10&end=2026-11&organisation={other.id}")
    assert page.status_code == 400  # no organisation filter on the team page
    page = client.get("/reports/team?start=2026-10&end=2026-11&sex=female")
    assert page.status_code == 200
    (filters,) = seen
    assert filters.organisation_ids == frozenset({account.user.organisation_id})
    assert (filters.start, filters.end) == (date(2026, 10, 1), date(2026, 11, 1))
    assert filters.sex == "female"
    body = page.get_data(as_text=True)
    assert "Registered by case type and sex" in body
    main = body[body.index("<main") :]
    assert 'role="img"' in main and "<title" in main
    assert "<script" not in main and "style=" not in main
    assert "/referrals/figures" in body  # the per-provider figures stay, linked from here


def test_the_default_period_is_the_last_complete_month(app, db_session, seen):
    client, _ = signed_in(app, db_session, Role.SUPERVISOR)
    assert client.get("/reports/team").status_code == 200
    month = last_complete_month(date.today())
    assert (seen[0].start, seen[0].end) == (month, month)
    assert last_complete_month(date(2026, 1, 15)) == date(2025, 12, 1)


def test_the_page_shows_the_protected_cells_as_published(app, db_session, seen):
    client, _ = signed_in(app, db_session, Role.SUPERVISOR)
    body = client.get("/reports/team?start=2026-11").get_data(as_text=True)
    table = body[body.index("<caption>Registered by case type and sex") :]
    table = table[: table.index("</table>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells[:3] == ["x", "&lt;5", "15"]
    assert '<th scope="row">Returnee</th>' in table
    assert '<th scope="col">Female</th>' in table
    assert "People registered" in body  # headline


def test_an_analyst_sees_every_organisation_and_filters_by_one(app, db_session, seen):
    agency = make_organisation(app, db_session, agency=True)
    client, _ = signed_in(app, db_session, Role.ANALYST)
    page = client.get("/reports/national?start=2026-11")
    assert page.status_code == 200
    assert seen[-1].organisation_ids is None
    assert str(agency.id) in page.get_data(as_text=True)  # offered in the filter
    assert client.get(f"/reports/national?organisation={agency.id}").status_code == 200
    assert seen[-1].organisation_ids == frozenset({agency.id})
    assert "/reports/national/ctdc.csv" in page.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PROVIDER_STAFF, Role.AUDITOR])
def test_other_roles_are_refused(app, db_session, seen, role):
    client, _ = signed_in(app, db_session, role)
    for path in ("/reports/team", "/reports/national", "/reports/national/ctdc.csv"):
        assert client.get(path).status_code == 403, path
    assert seen == []


def test_a_supervisor_cannot_open_the_national_figures_nor_an_analyst_the_team_page(
    app, db_session, seen
):
    client, _ = signed_in(app, db_session, Role.SUPERVISOR)
    assert client.get("/reports/national").status_code == 403
    assert client.get("/reports/national/ctdc.csv").status_code == 403
    client, _ = signed_in(app, db_session, Role.ANALYST)
    assert client.get("/reports/team").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13",
        "start=26-11",
        "start=2026-11-05",
        "start=1999-12",
        "start=2026-11&end=2026-10",
        "sex=robot",
        "case_type=robot",
        "age_band=7-8",
        "nationality=XYZ",
        "organisation=not-a-uuid",
        "format=pdf",
        "format=csv",
        "format=csv&table=unknown",
    ],
)
def test_bad_filters_get_a_message_and_400(app, db_session, seen, query):
    client, _ = signed_in(app, db_session, Role.ANALYST)
    page = client.get(f"/reports/national?{query}")
    assert page.status_code == 400
    assert 'class="field-error"' in page.get_data(as_text=True)


def test_csv_and_xlsx_hold_the_pages_protected_numbers(app, db_session, seen):
    client, _ = signed_in(app, db_session, Role.SUPERVISOR)
    page = client.get("/reports/team?start=2026-11").get_data(as_text=True)
    match = re.search(r'href="([^"]*format=csv[^"]*table=by_case_type_sex[^"]*)"', page)
    assert match, "a CSV link for each table"
    response = client.get(match.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "homeward-figures-team-2026-11-2026-11-by_case_type_sex.csv" in disposition
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1] == ["Returnee", "x", "<5", "15"]

    match = re.search(r'href="([^"]*format=xlsx[^"]*)"', page)
    assert match
    response = client.get(match.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert "homeward-figures-team-2026-11-2026-11.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = [list(r) for r in book["by_case_type_sex"].iter_rows(min_row=5, values_only=True)]
    assert sheet[0] == ["Returnee", "x", "<5", 15]
    about = [r for r in book.worksheets[0].iter_rows(values_only=True)]
    assert any("<5" in str(v) for r in about for v in r if v)  # the small-cell rule
    assert any(r[:2] == ("Sex", "Any") for r in about)


def test_views_and_downloads_are_audited_with_filters_and_no_figures(app, db_session, seen):
    client, account = signed_in(app, db_session, Role.SUPERVISOR)
    client.get("/reports/team?start=2026-10&end=2026-11&case_type=returnee")
    client.get("/reports/team?start=2026-11&format=csv&table=by_month")
    client.get("/reports/team?start=2026-11&format=xlsx")
    (viewed,) = events(db_session, "report.viewed")
    assert viewed.actor_user_id == account.user.id
    assert viewed.details_dict["report"] == "team" and viewed.details_dict["format"] == "html"
    assert viewed.details_dict["from"] == "2026-10" and viewed.details_dict["to"] == "2026-11"
    assert viewed.details_dict["case_type"] == "returnee"
    assert viewed.details_dict["organisations"] == [str(account.user.organisation_id)]
    csv_event, xlsx_event = events(db_session, "report.downloaded")
    assert (csv_event.details_dict["format"], csv_event.details_dict["table"]) == (
        "csv",
        "by_month",
    )
    assert xlsx_event.details_dict["format"] == "xlsx" and "table" not in xlsx_event.details_dict
    allowed = {"report", "format", "table", *Filters().described()}
    for event in (viewed, csv_event, xlsx_event):
        assert set(event.details_dict) <= allowed  # which report and filters, no figure
        details = {k: v for k, v in event.details_dict.items() if k != "organisations"}
        text = json.dumps(details)
        for figure in ("46", "59", "<5", "30"):
            assert figure not in text.replace("2026-", "")


def test_the_analyst_downloads_the_ctdc_export(app, db_session, seen):
    client, account = signed_in(app, db_session, Role.ANALYST)
    response = client.get("/reports/national/ctdc.csv?start=2026-01&end=2026-11")
    assert response.status_code == 200
    assert 'filename="homeward-ctdc-2026-01-2026-11.csv"' in response.headers["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:3] == ["yearOfRegistration", "Datasource", "gender"]
    (event,) = events(db_session, "report.exported")
    assert event.actor_user_id == account.user.id
    assert event.details_dict["via"] == "download" and event.details_dict["from"] == "2026-01-01"
    assert event.details_dict["to"] == "2026-11-30"
    assert client.get("/reports/national/ctdc.csv?start=2026-13").status_code == 400


def test_figures_in_the_navigation_and_the_analysts_home(app, db_session, seen):
    client, _ = signed_in(app, db_session, Role.ANALYST)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/reports/national")
    client, _ = signed_in(app, db_session, Role.SUPERVISOR)
    body = client.get("/reports/team").get_data(as_text=True)
    assert 'href="/reports/team"' in body


def test_an_administrator_invites_an_analyst(app, db_session):
    admin_account = make_account(app, db_session, Role.ADMINISTRATOR)
    agency = make_organisation(app, db_session, agency=True)
    client = app.test_client()
    sign_in(client, admin_account, db_session)
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="analyst"' in form and "Statistics analyst" in form
    response = post_form(
        client,
        "/admin/users/new",
        {
            "email": "new.analyst@agency.local",
            "display_name": "Nuri Analyst",
            "organisation": str(agency.id),
            "role": "analyst",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db_session.expire_all()
    user = db_session.scalar(select(User).where(User.email == "new.analyst@agency.local"))
    assert user is not None and user.role == "analyst" and user.organisation_id == agency.id


def test_the_demo_has_an_analyst_account():
    (analyst,) = [u for u in DEMO_USERS if u[3] is Role.ANALYST]
    assert analyst[0] == "analyst@demo.homeward.test" and len(analyst[4].split()) == 4
