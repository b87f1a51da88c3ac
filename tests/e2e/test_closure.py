"""A caseworker requests closure, a supervisor approves it in a second browser, the case shows
Closed; the supervisor's printable subject access export. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import CASE_PAGE, assert_accessible, follow, sign_in

pytestmark = pytest.mark.e2e


def _forget_totp_step(live_server, email: str) -> None:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def test_closure_approved_by_a_supervisor(browser, page, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    supervisor = live_server.account("supervisor")
    for account in (caseworker, supervisor):
        _forget_totp_step(live_server, account["email"])
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Aigerim Sadykova").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    case_url = page.url
    follow(page.get_by_role("link", name="Request closure"))
    assert_accessible(page, f"closure-request-{backend}", artifacts_dir)
    page.get_by_label("Support period ended").check()
    page.get_by_label("Closing summary").fill("Twelve months of support; she works in Bishkek.")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url("**/cases/*#closure")
    closure = page.locator("#closure")
    expect(closure.get_by_text("Waiting for approval").first).to_be_visible()
    assert_accessible(page, f"closure-pending-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"closure-pending-{backend}.png"), full_page=True)

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    boss = context.new_page()
    boss.set_default_timeout(15000)
    boss.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(boss, supervisor)
        boss.goto(case_url)
        boss.get_by_role("link", name="Approve or return the closure").click()
        boss.wait_for_url("**/closure/*")  # (is_visible does not wait for the page to load)
        expect(boss.get_by_text("Twelve months of support")).to_be_visible()
        assert_accessible(boss, f"closure-decide-{backend}", artifacts_dir)
        boss.get_by_label("Approve: close the case").check()
        boss.get_by_role("button", name="Record the decision").click()
        boss.wait_for_url("**/cases/*#closure")
        header = boss.locator(".case-header")
        expect(header.get_by_text("Closed", exact=True)).to_be_visible()
        assert_accessible(boss, f"case-closed-{backend}", artifacts_dir)

        boss.get_by_role("link", name="Everything held about the person (printable)").click()
        boss.wait_for_url("**/person-data/export")
        expect(boss.get_by_role("heading", name="Everything held about the person")).to_be_visible()
        expect(boss.get_by_text("Aigerim Sadykova").first).to_be_visible()
        assert_accessible(boss, f"subject-access-export-{backend}", artifacts_dir)
        boss.emulate_media(media="print")
        expect(boss.get_by_role("link", name="Download as JSON")).to_be_hidden()
        boss.screenshot(path=str(artifacts_dir / f"subject-access-{backend}.png"), full_page=True)
    finally:
        context.close()

    page.reload()
    expect(page.locator(".case-header").get_by_text("Closed", exact=True)).to_be_visible()
    page.goto(f"{case_url}/person")
    expect(page.get_by_role("heading", name="The case is closed")).to_be_visible()
    assert_accessible(page, f"closed-case-edit-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"closed-case-edit-{backend}.png"))
