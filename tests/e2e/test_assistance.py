"""A supervisor records a business grant above the approval threshold on a case; a second
supervisor approves it from the task list; the case panel and the organisation's summary add
up. axe-core once on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _forget_totp_step(live_server, email: str) -> None:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def _amounts(locator) -> int:
    """The sum of the minor units shown in a table's cells (``data-minor``)."""
    return sum(int(v) for v in locator.evaluate_all("els => els.map(e => e.dataset.minor)"))


def test_business_grant_approved_by_a_second_supervisor(
    browser, page, live_server, artifacts_dir, backend
):
    first = live_server.account("supervisor@demo.homeward.test")
    second = live_server.account("supervisor3@demo.homeward.test")
    for account in (first, second):
        _forget_totp_step(live_server, account["email"])
    sign_in(page, first)
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Rustam Aliev").get_by_role("link").first.click()
    page.wait_for_url(CASE_PAGE)
    case_url = page.url
    page.locator("#assistance").get_by_role("link", name="Record assistance").click()
    page.wait_for_url("**/assistance/new")
    assert_accessible(page, f"assistance-record-{backend}", artifacts_dir)
    page.get_by_label("Kind of assistance").select_option("business_grant")
    page.get_by_label("Amount").fill("1200")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Note").fill("Tools and stock for a bicycle repair shop")
    page.get_by_role("button", name="Record assistance").click()
    page.wait_for_url("**/cases/*#assistance")
    panel = page.locator("#assistance")
    expect(panel.get_by_text("It waits for a second person's approval")).to_be_visible()
    expect(panel.locator("#assistance-rows").get_by_text("Waiting for approval")).to_be_visible()
    expect(panel.locator("#assistance-pending").get_by_text("$1,200.00")).to_be_visible()
    assert_accessible(page, f"assistance-case-pending-{backend}", artifacts_dir)
    panel.screenshot(path=str(artifacts_dir / f"assistance-panel-{backend}.png"))
    panel.get_by_role("link").filter(has_text=re.compile(r"\d")).first.click()
    page.wait_for_url("**/assistance/*")
    expect(page.locator("#disbursement-amount").get_by_text("$1,200.00")).to_be_visible()
    assert_accessible(page, f"assistance-disbursement-{backend}", artifacts_dir)

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    boss = context.new_page()
    boss.set_default_timeout(15000)
    try:
        sign_in(boss, second)
        boss.goto("/tasks/")
        expect(boss.get_by_text("Disbursement waiting for approval").first).to_be_visible()
        boss.goto(case_url + "#assistance")
        boss.locator("#assistance").get_by_role("link").filter(
            has_text=re.compile(r"\d")
        ).first.click()
        boss.get_by_role("link", name="Approve or return").click()
        boss.wait_for_url("**/decision")
        expect(boss.get_by_text("Tools and stock for a bicycle repair shop")).to_be_visible()
        assert_accessible(boss, f"assistance-decide-{backend}", artifacts_dir)
        boss.get_by_label("Approve the disbursement").check()
        boss.get_by_role("button", name="Record the decision").click()
        boss.wait_for_url("**/cases/*#assistance")
        panel = boss.locator("#assistance")
        expect(panel.get_by_text("Approved. It counts against the budget.")).to_be_visible()
        rows = panel.locator("#assistance-rows tbody tr")
        counted = rows.filter(has_not_text="Waiting for approval").filter(has_not_text="Returned")
        assert _amounts(panel.locator("#assistance-totals .total")) == _amounts(
            counted.locator("td.amount")
        )
        expect(panel.locator("#assistance-totals").get_by_text("$1,200.00")).to_be_visible()

        boss.goto("/cases/assistance-summary/")
        expect(
            boss.get_by_role("heading", name="Assistance delivered by your organisation")
        ).to_be_visible()
        by_kind = _amounts(boss.locator("#by-kind tbody td[data-minor]"))
        by_month = _amounts(boss.locator("#by-month tbody td[data-minor]"))
        by_currency = _amounts(boss.locator("#by-currency tbody td[data-minor]"))
        assert by_kind == by_month == by_currency >= 120000
        assert_accessible(boss, f"assistance-summary-{backend}", artifacts_dir)
        boss.screenshot(
            path=str(artifacts_dir / f"assistance-summary-{backend}.png"), full_page=True
        )
    finally:
        context.close()
