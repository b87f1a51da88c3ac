"""A caseworker raises a flag and tells the supervisor, sees it at the top of the case and in
the case list (an icon with words), writes a safety plan; the supervisor finds the flag on
Today and marks it seen. axe-core once per page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from auth.models import User
from core.outbox.models import OutboxMessage
from tests.e2e.conftest import CASE_PAGE, assert_accessible, follow, sign_in

pytestmark = pytest.mark.e2e

REASON = "The recruiter is her cousin and lives in the same house."


def _forget_totp_step(live_server, email: str) -> None:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def _queued(live_server) -> int:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        rows = db.scalars(
            select(OutboxMessage.id).where(OutboxMessage.template == "safety.flag_raised")
        )
        return len(list(rows))


def test_flag_with_supervisor_and_a_safety_plan(browser, page, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    supervisor = live_server.account("supervisor")
    for account in (caseworker, supervisor):
        _forget_totp_step(live_server, account["email"])
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Rustam Aliev").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    case_url = page.url

    follow(page.get_by_role("link", name="Raise a flag"))
    assert_accessible(page, f"flag-raise-{backend}", artifacts_dir)
    page.get_by_label("Kind of flag").select_option("no_contact_at_home")
    page.get_by_label("Why this flag").fill(REASON)
    page.get_by_label("Tell my supervisor").check()
    page.get_by_role("button", name="Raise the flag").click()
    page.wait_for_url("**/cases/*#safety")
    banner = page.get_by_role("region", name="Active flags")
    expect(banner.get_by_text("Do not contact at home")).to_be_visible()
    box = banner.bounding_box()
    summary = page.locator("#summary").bounding_box()
    assert box and summary and box["y"] < summary["y"]  # at the top, above the summary
    expect(page.locator("#safety").get_by_text(REASON)).to_be_visible()
    assert_accessible(page, f"case-with-flag-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"case-with-flag-{backend}.png"), full_page=True)
    assert _queued(live_server) >= 1

    page.goto("/cases/")
    row = page.get_by_role("row").filter(has_text="Rustam Aliev")
    expect(row.get_by_text("Do not contact at home")).to_be_visible()
    assert REASON not in page.content()
    assert_accessible(page, f"case-list-with-flag-{backend}", artifacts_dir)

    page.goto(case_url)
    follow(page.get_by_role("link", name="Write a safety plan"))
    assert_accessible(page, f"safety-plan-edit-{backend}", artifacts_dir)
    page.get_by_label("Risks").fill("The recruiter may come to the house.")
    page.get_by_label("Agreed measures").fill("Meet at the office only; call before any visit.")
    page.get_by_label("Emergency contacts").fill("Shelter hotline, day and night")
    review = (date.today() + timedelta(days=5)).isoformat()
    page.get_by_label("Review the plan on").fill(review)
    page.get_by_role("button", name="Save the safety plan").click()
    page.wait_for_url("**/cases/*#safety")
    page.get_by_role("link", name="Open the safety plan").click()
    expect(page.get_by_text("Meet at the office only")).to_be_visible()
    assert_accessible(page, f"safety-plan-{backend}", artifacts_dir)

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    boss = context.new_page()
    boss.set_default_timeout(15000)
    try:
        sign_in(boss, supervisor)
        boss.goto("/today/")
        boss.get_by_role("row").filter(has_text="Safety flag raised").get_by_role(
            "link"
        ).first.click()
        boss.wait_for_url("**/safety/flags")
        expect(boss.get_by_text(REASON)).to_be_visible()
        assert_accessible(boss, f"flags-{backend}", artifacts_dir)
        boss.get_by_role("button", name="Mark seen").click()
        boss.wait_for_url("**/safety/flags")
        expect(boss.get_by_text("Seen by supervisor")).to_be_visible()
    finally:
        context.close()
