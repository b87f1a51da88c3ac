"""The task list in real Chromium: reached from the navigation, with its count; axe-core clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_task_list_from_the_navigation(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("supervisor"))
    page.wait_for_url("**/today/")  # case teams land on Today
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My tasks").click()
    page.wait_for_url("**/tasks/")
    expect(page.get_by_role("heading", name="My tasks", level=1)).to_be_visible()
    assert_accessible(page, f"tasks-{backend}", artifacts_dir)
