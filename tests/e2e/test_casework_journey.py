"""One case from registration to erasure in real Chromium: assess, plan, request approval,
approve as supervisor, record two monitoring visits and see the score chart, close with a
supervisor's approval, export everything held, erase with two supervisors. axe-core on every
page; the steps have their own detailed browser tests, this one checks they join up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import CASE_PAGE, assert_accessible, follow, sign_in

pytestmark = pytest.mark.e2e

NAME = "Шахноза Ёрова"


def _forget_totp_step(live_server, email: str) -> None:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def _second_browser(browser, live_server, account):
    _forget_totp_step(live_server, account["email"])  # a code is good once per 30 s step
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, account)
    return context, page


def _visit(page, when: date, income: str, safety: str) -> None:
    page.locator("#monitoring").get_by_role("link", name="Record a visit").click()
    page.get_by_label("Date of the visit").fill(when.isoformat())
    page.get_by_label("Type of visit").select_option("phone")
    page.locator(f'input[name="answer_income"][value="{income}"]').check()
    page.locator(f'input[name="answer_safety"][value="{safety}"]').check()
    page.get_by_role("button", name="Save visit").click()
    page.wait_for_url("**/cases/*#monitoring")


def test_from_registration_to_closure_and_erasure(
    browser, page, live_server, artifacts_dir, backend
):
    caseworker = live_server.account("caseworker")
    supervisor = live_server.account("supervisor")
    second = live_server.account("supervisor3@demo.homeward.test")
    for account in (caseworker, supervisor, second):
        _forget_totp_step(live_server, account["email"])
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")

    # Register.
    page.get_by_role("link", name="Register a person").click()
    page.get_by_label("Full name as the person writes it").fill(NAME)
    page.get_by_label("Date of birth", exact=True).fill("1990-06-01")
    page.get_by_label("Case type").select_option("returnee")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(CASE_PAGE)
    case_url = page.url
    header = page.locator(".case-header")
    expect(header.get_by_text("Identification", exact=True)).to_be_visible()

    # Assess: identification -> assessment.
    page.locator("#assessment").get_by_role("link", name="Record an assessment").click()
    page.get_by_label("Economic needs").fill("No income since the return")
    page.get_by_label("Economic risk level").select_option("high")
    page.locator("#social_risk_level").select_option("medium")
    page.get_by_label("Psychosocial risk level").select_option("medium")
    page.get_by_role("group", name="Overall risk level").get_by_label("High risk").check()
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url("**/cases/*#assessment")
    expect(header.get_by_text("Assessment", exact=True)).to_be_visible()

    # Plan and request approval: assessment -> planning.
    page.get_by_role("button", name="Start the plan").click()
    page.wait_for_url("**/plan/")
    page.locator("#rows-0-dimension").select_option("economic")
    page.locator("#rows-0-description").fill("Vocational course in tailoring")
    page.locator("#rows-0-responsible_other").fill("Vocational centre")
    page.locator("#rows-0-due_on").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save the actions").click()
    page.wait_for_url("**/plan/#main")
    page.get_by_role("button", name="Submit plan for approval").click()
    page.wait_for_url("**/plan/")
    expect(page.get_by_text("Waiting for approval", exact=True)).to_be_visible()

    # A supervisor approves: planning -> implementation.
    context, boss = _second_browser(browser, live_server, supervisor)
    try:
        boss.goto(case_url)
        boss.locator("#plan").get_by_role("link", name="Review the plan").click()
        boss.get_by_label("Approve the plan").check()
        boss.get_by_role("button", name="Save decision").click()
        boss.wait_for_url("**/cases/*#plan")
        expect(
            boss.locator(".case-header").get_by_text("Implementation", exact=True)
        ).to_be_visible()
    finally:
        context.close()

    # Two monitoring visits: implementation -> monitoring, a chart of progress.
    page.goto(case_url)
    _visit(page, date.today() - timedelta(days=40), "none", "partly")
    expect(header.get_by_text("Monitoring", exact=True)).to_be_visible()
    _visit(page, date.today(), "sufficient", "safe")
    panel = page.locator("#monitoring")
    chart = panel.locator("svg.chart__svg--wide")
    expect(chart).to_be_visible()
    assert chart.locator("path.chart__point").count() >= 6  # two visits, three lines or more
    expect(panel.get_by_text("Uncalibrated weights").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"journey-chart-{backend}.png"), full_page=True)
    assert_accessible(page, f"journey-monitoring-{backend}", artifacts_dir)

    # Closure needs a supervisor's approval: monitoring -> closed.
    page.get_by_role("link", name="Request closure").click()
    page.get_by_label("Support period ended").check()
    page.get_by_label("Closing summary").fill("Works as a tailor; feels safe.")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url("**/cases/*#closure")
    expect(page.locator("#closure").get_by_text("Waiting for approval").first).to_be_visible()
    expect(header.get_by_text("Monitoring", exact=True)).to_be_visible()
    context, boss = _second_browser(browser, live_server, supervisor)
    try:
        boss.goto(case_url)
        boss.get_by_role("link", name="Approve or return the closure").click()
        boss.get_by_label("Approve: close the case").check()
        boss.get_by_role("button", name="Record the decision").click()
        boss.wait_for_url("**/cases/*#closure")
        expect(boss.locator(".case-header").get_by_text("Closed", exact=True)).to_be_visible()

        # Subject access export, then an erasure request.
        boss.get_by_role("link", name="Everything held about the person (printable)").click()
        boss.wait_for_url("**/person-data/export")
        expect(boss.get_by_text(NAME).first).to_be_visible()
        expect(boss.get_by_text("Vocational course in tailoring").first).to_be_visible()
        assert_accessible(boss, f"journey-export-{backend}", artifacts_dir)
        boss.goto(case_url)
        boss.get_by_role("link", name="Request erasure of the person").click()
        boss.get_by_label("The person asked for it").check()
        boss.get_by_role("button", name="Request erasure").click()
        boss.wait_for_url(CASE_PAGE)
        expect(boss.get_by_text("Another supervisor must confirm it.", exact=True)).to_be_visible()
    finally:
        context.close()

    # A second supervisor confirms: the person's data is gone.
    context, other = _second_browser(browser, live_server, second)
    try:
        other.goto(case_url)
        follow(other.get_by_role("link", name="Confirm the erasure"))
        assert_accessible(other, f"journey-confirm-erasure-{backend}", artifacts_dir)
        other.get_by_role("button", name="Erase the person now").click()
        other.wait_for_load_state()
        other.goto(case_url)
        assert NAME not in other.content()
        assert "Vocational course in tailoring" not in other.content()
        other.screenshot(path=str(artifacts_dir / f"journey-erased-{backend}.png"), full_page=True)
    finally:
        context.close()
