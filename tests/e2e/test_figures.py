"""A supervisor opens the figures of the own organisation, filters by a month, downloads the
workbook (openpyxl reads it back with the page's numbers); an analyst opens the national
figures. axe-core on each page; screenshots kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from auth.models import User
from casework.skeleton.models import CaseSkeleton
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _table(page, key: str) -> dict[str, str]:
    """(row heading -> first cell) of a figure's data table as the page shows it."""
    table = page.locator(f"#figure-{key} table")
    found = {}
    for row in table.locator("tbody tr").all():
        found[row.locator("th").inner_text().strip()] = row.locator("td").first.inner_text()
    return found


def _busiest_month(live_server, email: str) -> str:
    """The month in which the user's organisation registered most demo cases."""
    with live_server.app.extensions["homeward_db"].new_session() as db:
        organisation_id = db.scalar(select(User.organisation_id).where(User.email == email))
        counted = func.count()
        row = db.execute(
            select(CaseSkeleton.registered_month, counted)
            .where(CaseSkeleton.organisation_id == organisation_id)
            .group_by(CaseSkeleton.registered_month)
            .order_by(counted.desc(), CaseSkeleton.registered_month)
        ).first()
    assert row is not None, "the demo registers cases"
    return str(row[0])


def test_a_supervisor_gets_the_months_figures_as_page_and_workbook(
    page, live_server, artifacts_dir, backend
):
    month = _busiest_month(live_server, "supervisor@demo.homeward.test")
    sign_in(page, live_server.account("supervisor@demo.homeward.test"))
    page.get_by_role("link", name="Figures", exact=True).click()
    page.wait_for_url("**/reports/team")
    page.get_by_label("From month").fill(month)
    page.get_by_label("To month").fill(month)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/reports/team?start={month}*")
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert_accessible(page, f"figures-team-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"figures-team-{backend}.png"), full_page=True)
    for key in ("registered_by_age_band", "registered_by_month"):
        page.locator(f"#figure-{key}").screenshot(
            path=str(artifacts_dir / f"figures-team-{key}-{backend}.png")
        )

    shown = _table(page, "registered_by_case_type")
    assert shown["Total"] not in ("0", "x")  # the month has cases (a number or "<5")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every table (XLSX)").click()
    saved = download.value
    assert saved.suggested_filename == f"homeward-figures-team-{month}-{month}.xlsx"
    book = load_workbook(io.BytesIO(Path(saved.path()).read_bytes()))
    sheet = book["registered_by_case_type"]
    published = {
        str(row[0]): str(row[1]) for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]
    }
    assert published == {k: v.replace(",", "") for k, v in shown.items()}


def test_an_analyst_opens_the_national_figures(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("analyst@demo.homeward.test"))
    page.wait_for_url("**/reports/national")  # the analyst's home
    expect(page.get_by_role("heading", name="National figures")).to_be_visible()
    expect(page.get_by_label("Organisation")).to_be_visible()
    main_nav = page.locator(".main-nav")
    expect(main_nav.get_by_role("link", name="Figures", exact=True)).to_have_count(1)
    expect(main_nav.get_by_role("link", name="Cases", exact=True)).to_have_count(0)
    assert_accessible(page, f"figures-national-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"figures-national-{backend}.png"), full_page=True)
    for key in ("referrals_by_service_type", "time_to_steps"):
        page.locator(f"#figure-{key}").screenshot(
            path=str(artifacts_dir / f"figures-national-{key}-{backend}.png")
        )
