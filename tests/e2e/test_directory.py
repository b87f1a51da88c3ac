"""The service directory in real Chromium: an administrator adds a service, a caseworker
filters the directory and finds it; every page axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, follow, sign_in

pytestmark = pytest.mark.e2e


def test_admin_adds_a_service_and_a_caseworker_finds_it(
    page, browser, live_server, artifacts_dir, backend
):
    sign_in(page, live_server.account("administrator"))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Service directory"
    ).click()
    expect(page.get_by_role("link", name="Psychosocial counselling")).to_be_visible()
    follow(page.get_by_role("link", name="Manage the directory"))
    assert_accessible(page, f"directory-manage-{backend}", artifacts_dir)
    follow(page.get_by_role("link", name="Bridges Vocational Network (demo)"))
    assert_accessible(page, f"directory-organization-{backend}", artifacts_dir)
    page.get_by_role("link", name="Add a service").click()
    page.locator("#name").fill("Job placement for returnees")
    page.get_by_label("Employment").check()
    page.get_by_label("Languages").select_option(["sq", "uk"])
    page.get_by_label("Areas served").fill("Peja, XK\nIstog, XK")
    page.get_by_label("Bridges training hall").check()
    page.get_by_label("Capacity").fill("25")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Job placement for returnees")).to_be_visible()
    expect(page.locator("dd", has_text="Albanian, Ukrainian")).to_be_visible()  # names, not codes
    assert_accessible(page, f"directory-service-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"directory-service-{backend}.png"), full_page=True)
    page.goto("/directory/manage/organizations/new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    assert_accessible(page, f"directory-organization-errors-{backend}", artifacts_dir)
    page.goto("/directory/manage/import")
    assert_accessible(page, f"directory-import-{backend}", artifacts_dir)

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        other = context.new_page()
        other.set_default_timeout(15000)
        sign_in(other, live_server.account("caseworker"))
        other.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Service directory"
        ).click()
        other.get_by_label("Type of service").select_option("employment")
        other.get_by_label("Language", exact=True).select_option("uk")
        other.get_by_role("button", name="Filter").click()
        expect(other.get_by_role("link", name="Job placement for returnees")).to_be_visible()
        expect(other.get_by_role("link", name="Psychosocial counselling")).to_have_count(0)
        expect(other.get_by_text("Listed only").first).to_be_visible()
        assert_accessible(other, f"directory-filtered-{backend}", artifacts_dir)
        other.screenshot(path=str(artifacts_dir / f"directory-{backend}.png"), full_page=True)
        other.get_by_label("Language", exact=True).select_option("xh")
        other.get_by_role("button", name="Filter").click()
        expect(other.get_by_text("No services match these filters.")).to_be_visible()
        other.get_by_role("link", name="Clear filters").click()
        other.get_by_role("link", name="Job placement for returnees").click()
        expect(
            other.get_by_text("Listed only: not on Homeward, cannot receive referrals")
        ).to_be_visible()
        expect(other.get_by_role("link", name="Edit the service")).to_have_count(0)
        assert_accessible(other, f"directory-service-caseworker-{backend}", artifacts_dir)
    finally:
        context.close()
