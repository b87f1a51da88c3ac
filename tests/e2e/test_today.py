"""The Today page in real Chromium: case teams land on it and follow a next step; axe-core clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import override_settings

pytestmark = pytest.mark.e2e


def test_caseworker_lands_on_today_and_follows_a_next_step(
    page, live_server, artifacts_dir, backend
):
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    overdue = page.locator("section", has=page.locator("#today-overdue"))
    expect(overdue.get_by_role("heading", name="Overdue")).to_be_visible()
    assert_accessible(page, f"today-caseworker-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"today-caseworker-{backend}.png"), full_page=True)
    row = overdue.locator("tbody tr").first
    number = row.locator("td").nth(1).inner_text().strip()
    step = row.get_by_role("link")
    target = step.get_attribute("href")
    step.click()
    page.wait_for_url(f"**{target}")
    assert number in page.content()


def test_supervisor_sees_what_waits_for_a_decision_first(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("supervisor"))
    page.wait_for_url("**/today/")
    headings = page.locator("main h2").all_inner_texts()
    assert headings and headings[0].startswith("Waiting for me")
    assert_accessible(page, f"today-supervisor-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"today-supervisor-{backend}.png"), full_page=True)


def test_a_group_longer_than_a_page_pages_through_its_rows(
    page, live_server, artifacts_dir, backend
):
    """One row a page (the demo caseworker has more overdue): the pager shows, leads to the
    next row and back, and stays axe-core clean."""
    with override_settings(live_server.app, TASK_PAGE_SIZE=1):
        sign_in(page, live_server.account("caseworker"))
        page.wait_for_url("**/today/")
        overdue = page.locator("section", has=page.locator("#today-overdue"))
        total = int(overdue.locator("h2 .badge").inner_text().replace(",", ""))
        assert total >= 2
        expect(overdue.locator("tbody tr")).to_have_count(1)
        first = overdue.locator("tbody tr td").nth(1).inner_text()
        pager = overdue.get_by_role("navigation", name="Pages")
        assert_accessible(page, f"today-paged-{backend}", artifacts_dir)
        page.screenshot(path=str(artifacts_dir / f"today-paged-{backend}.png"), full_page=True)
        pager.get_by_role("link", name="Next page").click()
        page.wait_for_url("**/today/?overdue=2*")
        expect(overdue.locator("tbody tr")).to_have_count(1)
        assert overdue.locator("tbody tr td").nth(1).inner_text() != first
        expect(
            overdue.get_by_role("navigation", name="Pages").get_by_role(
                "link", name="Previous page"
            )
        ).to_be_visible()
