"""Issue 17's done-when, in real Chromium: an administrator adds a service kind with a Dari
label; a Dari-speaking caseworker sees it offered. Axe on each administration page."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e

DARI = "پول در برابر کار"


def _set_language(live_server: Any, email: str, code: str) -> None:
    with live_server.app.extensions["homeward_db"].session_scope() as session:
        session.execute(update(User).where(User.email == email).values(preferred_language=code))


def _sign_in_by_ids(page: Any, account: dict[str, Any]) -> None:
    """The sign-in pages found by field ids (their labels are in the user's language)."""
    page.goto("/login")
    page.locator("#email").fill(account["email"])
    page.locator("#password").fill(account["password"])
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/login/second-factor")
    page.locator("#code").fill(pyotp.TOTP(account["totp_secret"]).now())
    page.locator("form:has(#code) button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def test_administrator_adds_a_service_kind_a_dari_speaking_caseworker_sees_it(
    page, browser, live_server, artifacts_dir, backend
):
    code = f"cash_for_work_{backend[:2]}"
    sign_in(page, live_server.account("administrator"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists").click()
    page.wait_for_url("**/admin/lists")
    assert_accessible(page, f"admin-lists-{backend}", artifacts_dir)

    page.get_by_role("link", name="Kinds of service").click()
    page.wait_for_url("**/admin/lists/service_type")
    expect(page.get_by_role("heading", name="Kinds of service")).to_be_visible()
    assert_accessible(page, f"admin-list-{backend}", artifacts_dir)

    page.get_by_role("link", name="Add an entry").click()
    page.wait_for_url("**/admin/lists/service_type/new")
    assert_accessible(page, f"admin-list-new-{backend}", artifacts_dir)
    page.get_by_label("Code").fill("Bad Code")
    page.get_by_label("Label in English").fill("Cash for work")
    page.get_by_role("button", name="Add the entry").click()
    expect(page.locator("#code-error")).to_be_visible()
    assert_accessible(page, f"admin-list-new-error-{backend}", artifacts_dir)

    page.get_by_label("Code").fill(code)
    page.locator("#label_fa_AF").fill(DARI)
    page.get_by_role("button", name="Add the entry").click()
    page.wait_for_url("**/admin/lists/service_type*")
    expect(page.get_by_text("Entry added.")).to_be_visible()
    row = page.locator(f"#entry-{code}")
    expect(row.get_by_text("Cash for work").first).to_be_visible()
    expect(row.get_by_text(DARI).first).to_be_visible()

    row.get_by_role("link", name="Edit labels").click()
    page.wait_for_url(f"**/admin/lists/service_type/entries/{code}")
    assert page.locator("#label_fa_AF").input_value() == DARI
    assert page.locator("#label_fa_AF").get_attribute("dir") == "rtl"
    assert_accessible(page, f"admin-list-entry-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"admin-list-entry-{backend}.png"), full_page=True)

    caseworker = live_server.account("caseworker")
    _set_language(live_server, caseworker["email"], "fa_AF")
    context = browser.new_context(base_url=live_server.url, locale="fa-AF")
    try:
        other = context.new_page()
        other.set_default_timeout(15000)
        _sign_in_by_ids(other, caseworker)
        other.goto("/directory/")
        assert other.locator("html").get_attribute("lang") == "fa-AF"
        option = other.locator(f'#f-type option[value="{code}"]')
        expect(option).to_have_count(1)
        assert option.inner_text().strip() == DARI
        other.locator("#f-type").select_option(code)
        other.screenshot(path=str(artifacts_dir / f"directory-dari-kind-{backend}.png"))
    finally:
        context.close()
        _set_language(live_server, caseworker["email"], "en")
