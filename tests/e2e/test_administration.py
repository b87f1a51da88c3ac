"""An administrator in real Chromium: user list, invitation form, a user's page; axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_administrator_pages(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("administrator"))
    page.wait_for_url("**/admin/users")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    expect(nav.get_by_role("link", name="Cases")).to_have_count(0)
    expect(page.get_by_role("link", name="Amina Caseworker")).to_be_visible()
    assert_accessible(page, f"admin-users-{backend}", artifacts_dir)
    page.get_by_label("Name or e-mail contains").fill("auditor")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Elif Auditor")).to_be_visible()
    expect(page.get_by_role("link", name="Amina Caseworker")).to_have_count(0)
    assert "auditor" not in page.url  # the filter travels in the body, not the address
    page.get_by_role("link", name="Elif Auditor").click()
    expect(page.get_by_role("heading", name="Open sessions")).to_be_visible()
    assert_accessible(page, f"admin-user-{backend}", artifacts_dir)
    page.goto("/admin/users/new")
    assert_accessible(page, f"admin-invite-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"admin-invite-{backend}.png"), full_page=True)
    page.goto("/admin/organisations")
    expect(page.get_by_role("link", name="Hope Psychosocial Centre (demo)")).to_be_visible()
    assert_accessible(page, f"admin-organisations-{backend}", artifacts_dir)
