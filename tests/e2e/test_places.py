"""Places in real Chromium: an administrator imports a province/district CSV on the places
page, and a caseworker chooses one of its districts on the registration form (a plain
<select>, no script needed) and sees it on the case page; axe-clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

FIXTURE = str(Path(__file__).resolve().parents[1] / "fixtures" / "places_af.csv")


def test_import_places_then_register_a_case_in_a_district(
    page, live_server, artifacts_dir, backend, browser
):
    sign_in(page, live_server.account("administrator"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Places").click()
    page.wait_for_url("**/admin/places")
    page.get_by_label("Places file (CSV)").set_input_files(FIXTURE)
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/admin/places")
    expect(page.get_by_text("Places imported: 1 new")).to_be_visible()
    expect(page.get_by_role("cell", name="Herat", exact=True)).to_be_visible()
    assert_accessible(page, f"admin-places-{backend}", artifacts_dir)

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="en-GB"
    )
    worker = context.new_page()
    try:
        sign_in(worker, live_server.account("caseworker"))
        worker.goto("/cases/new")
        picker = worker.get_by_label("Province or district of return or identification")
        assert picker.locator("optgroup[label='Herat (Afghanistan)'] option").count() >= 2
        worker.get_by_label("Full name as the person writes it").fill("Karim Rahimi")
        worker.get_by_label("Case type").select_option("returnee")
        picker.select_option("AF3005")
        worker.get_by_role("button", name="Register").click()
        worker.wait_for_url(CASE_PAGE)
        assert worker.locator("#case-place-code").inner_text() == "Karukh, Herat, Afghanistan"
        worker.screenshot(path=str(artifacts_dir / f"case-place-{backend}.png"), full_page=True)
    finally:
        context.close()
