"""A caseworker registers a returning family of four in one flow (the head, then the spouse
and two children, each prefilled with the shared details), then each member's case shows the
household. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

HEAD = "Dawood Qaderi"
MEMBERS = [
    ("Shabnam Qaderi", "Spouse or partner"),
    ("Omid Qaderi", "Son or daughter"),
    ("Laila Qaderi", "Son or daughter"),
]


def test_register_a_family_of_four_in_one_flow(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")
    page.goto("/cases/new")
    page.get_by_role("link", name="Register the family in one go").click()
    page.wait_for_url("**/cases/family/new")
    expect(page.get_by_role("heading", name="Register a family")).to_be_visible()
    assert_accessible(page, f"family-head-{backend}", artifacts_dir)
    page.get_by_label("Full name as the person writes it").fill(HEAD)
    page.get_by_label("Nationality").select_option("AF")
    page.get_by_label("Country of return").select_option("AF")
    page.get_by_label("Region").fill("Herat")
    page.get_by_label("Town or village").fill("Ghoryan")
    page.get_by_label("Case type").select_option("returnee")
    page.get_by_label("Place (border point, centre, office)").fill("Islam Qala border point")
    page.get_by_role("button", name="Register the head of the household").click()
    page.wait_for_url("**/household/register")

    for index, (name, relationship) in enumerate(MEMBERS):
        expect(page.get_by_role("heading", name="Register a family member")).to_be_visible()
        # The shared details come from the head's case.
        assert page.get_by_label("Region").input_value() == "Herat"
        assert page.get_by_label("Place (border point, centre, office)").input_value() == (
            "Islam Qala border point"
        )
        if index == 0:
            assert_accessible(page, f"family-member-{backend}", artifacts_dir)
        page.get_by_label("Relationship in the household").select_option(label=relationship)
        page.get_by_label("Full name as the person writes it").fill(name)
        page.get_by_role("button", name="Register and add to the household").click()
        page.wait_for_url("**/household/register")
        expect(page.locator("#family-title + ul").get_by_text(name)).to_be_visible()

    page.screenshot(path=str(artifacts_dir / f"family-registered-{backend}.png"), full_page=True)
    page.get_by_role("link", name="Finish: back to case").click()
    page.wait_for_url("**/cases/*#household")
    head_url = page.url.split("#")[0]
    household = page.locator("#household")
    for name, _relationship in MEMBERS:
        expect(household.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page, f"family-head-case-{backend}", artifacts_dir)

    for name, _relationship in MEMBERS:
        page.goto(head_url)
        page.locator("#household").get_by_role("link", name=name).click()
        page.wait_for_url(CASE_PAGE)
        household = page.locator("#household")
        expect(household.get_by_role("link", name=HEAD).first).to_be_visible()
        for other, _r in MEMBERS:
            expect(household.get_by_text(other).first).to_be_visible()
        if name == "Laila Qaderi":
            expect(household.get_by_text("Parents or guardians:")).to_be_visible()
            assert_accessible(page, f"family-child-case-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"family-child-case-{backend}.png"), full_page=True)
