"""The login page in real Chromium: it renders, is screenshotted, and passes axe-core."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_login_page_renders_and_is_accessible(page, artifacts_dir, backend):
    response = page.goto("/login")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Sign in to Homeward")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"login-{backend}.png"), full_page=True)
    assert_accessible(page, f"login-{backend}", artifacts_dir)


def test_sign_in_with_password_and_totp_then_sign_out(page, live_server, artifacts_dir, backend):
    account = live_server.account("caseworker")
    page.goto("/login")
    page.get_by_label("E-mail address").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/login/second-factor")
    assert_accessible(page, f"second-factor-{backend}", artifacts_dir)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(account["totp_secret"]).now()
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/today/")  # case teams land on Today
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Cases")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto("/cases/")
    assert "/login" in page.url
