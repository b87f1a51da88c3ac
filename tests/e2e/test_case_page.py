"""The case page in real Chromium: its section menu on a phone and on a wide screen, a saved
note confirmed where the page lands, and a failed form's error summary taking the focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from auth.models import User
from casework.models import Case
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e

IN_VIEW = """el => {
  const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
}"""


def _open_case(live_server, role: str) -> str:
    email = live_server.account(role)["email"]
    with live_server.app.extensions["homeward_db"].session_scope() as session:
        user = session.scalar(select(User).where(User.email == email))
        case = session.scalar(
            select(Case)
            .where(Case.assigned_to_id == user.id, Case.stage != "closed")
            .order_by(Case.case_number)
        )
        return f"/cases/{case.id}"


def _in_view(page, selector: str) -> bool:
    return bool(page.locator(selector).first.evaluate(IN_VIEW))


def test_the_menu_and_a_saved_note_on_a_wide_screen(page, live_server, artifacts_dir, backend):
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in(page, live_server.account("caseworker"))
    url = _open_case(live_server, "caseworker")
    page.goto(url)
    side = page.locator("nav.case-menu--side")
    expect(side).to_be_visible()
    expect(page.locator("details.case-menu--compact")).to_be_hidden()
    expect(page.locator(".next-step")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"case-page-wide-{backend}.png"))
    side.get_by_role("link", name="Notes").click()
    page.wait_for_url("**#notes")
    assert _in_view(page, "#notes-title")
    assert _in_view(page, "nav.case-menu--side")  # sticky: still there far down the page
    side.get_by_role("link", name="Reintegration plan").click()
    assert _in_view(page, "#plan-title")
    assert_accessible(page, f"case-page-wide-{backend}", artifacts_dir)

    page.get_by_label("New note").fill("Called the family; they expect her on Friday.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url("**#notes")
    confirmation = page.locator("#notes .flash--success")
    assert confirmation.inner_text() == "Note added."
    assert _in_view(page, "#notes .flash--success")
    page.screenshot(path=str(artifacts_dir / f"case-page-note-{backend}.png"))


def test_the_menu_on_a_phone(page, live_server, artifacts_dir, backend):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.account("caseworker"))
    page.goto(_open_case(live_server, "caseworker"))
    expect(page.locator("nav.case-menu--side")).to_be_hidden()
    menu = page.locator("details.case-menu--compact")
    expect(menu).to_be_visible()
    assert menu.evaluate("el => el.getBoundingClientRect().top") < 400
    menu.locator("summary").click()
    page.screenshot(path=str(artifacts_dir / f"case-page-phone-menu-{backend}.png"))
    menu.get_by_role("link", name="Monitoring visits").click()
    page.wait_for_url("**#monitoring")
    assert _in_view(page, "#monitoring-title")
    page.goto(page.url.split("#")[0])
    page.locator("details.case-menu--compact summary").click()
    page.locator("details.case-menu--compact").get_by_role("link", name="Notes").click()
    assert _in_view(page, "#notes-title")
    page.screenshot(path=str(artifacts_dir / f"case-page-phone-{backend}.png"))


def test_a_failed_save_focuses_the_error_summary(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("administrator"))
    page.goto("/directory/manage/organizations/new")
    page.locator("#email").fill("not an address")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link", name="Name: This field is required.").click()
    assert page.evaluate("document.activeElement.id") == "name"
    summary.get_by_role("link", name="E-mail", exact=False).click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert_accessible(page, f"error-summary-{backend}", artifacts_dir)
