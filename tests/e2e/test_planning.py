"""A caseworker in real Chromium assesses a demo case's needs, plans three actions in one save
and submits; a supervisor reviews it beside the person's name and assessment, approves, and the
case moves to implementation. axe-core on every page, screenshots kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import CASE_PAGE, assert_accessible, follow, sign_in

pytestmark = pytest.mark.e2e


def _forget_totp_step(live_server, email: str) -> None:
    """Other browser tests sign these accounts in too; a code is good once per 30 s step."""
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


@pytest.fixture
def accounts(live_server):
    found = [live_server.account("caseworker"), live_server.account("supervisor")]
    for account in found:
        _forget_totp_step(live_server, account["email"])
    yield found
    for account in found:
        _forget_totp_step(live_server, account["email"])


def test_assess_plan_submit_and_approve(
    browser, page, live_server, artifacts_dir, backend, accounts
):
    caseworker, supervisor = accounts
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Farida Nazari").get_by_role("link").first.click()
    page.wait_for_url(CASE_PAGE)
    case_url = page.url
    assessment = page.locator("#assessment")
    expect(assessment.get_by_text("Not assessed yet")).to_be_visible()

    follow(assessment.get_by_role("link", name="Record an assessment"))
    assert_accessible(page, f"assessment-form-{backend}", artifacts_dir)
    page.get_by_label("Economic needs").fill("No income since the return")
    page.get_by_label("Economic strengths").fill("Worked as a tailor")
    page.get_by_label("Economic risk level").select_option("high")
    page.get_by_label("Social needs", exact=True).fill("Children need school places")
    page.locator("#social_risk_level").select_option("medium")
    page.get_by_label("Psychosocial needs").fill("Sleeps badly")
    page.get_by_label("Psychosocial risk level").select_option("low")
    page.get_by_role("group", name="Overall risk level").get_by_label("High risk").check()
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url("**/cases/*#assessment")
    expect(page.locator("#assessment").get_by_text("Latest of 1 assessment")).to_be_visible()
    expect(page.locator(".case-header").get_by_text("Assessment", exact=True)).to_be_visible()

    page.get_by_role("button", name="Start the plan").click()
    page.wait_for_url("**/plan/")
    assert_accessible(page, f"plan-empty-{backend}", artifacts_dir)
    # An empty plan: the main button is saving the actions, not submitting the plan.
    submit_button = page.get_by_role("button", name="Submit plan for approval")
    assert "button--primary" not in (submit_button.get_attribute("class") or "")
    rows = [
        ("economic", "Apply for the small-business grant", 20),
        ("social", "Enrol the children in school", 10),
        ("psychosocial", "Join the peer support group", 30),
    ]
    # The third row is left half-done first: nothing is saved and every row stays typed.
    for n, (dimension, what, days) in enumerate(rows):
        page.locator(f"#rows-{n}-dimension").select_option(dimension)
        page.locator(f"#rows-{n}-description").fill(what)
        if n < 2:
            page.locator(f"#rows-{n}-responsible_other").fill("Women's Business Centre")
        page.locator(f"#rows-{n}-due_on").fill((date.today() + timedelta(days=days)).isoformat())
    page.get_by_role("button", name="Save the actions").click()
    expect(page.get_by_text("Check the rows marked below: nothing was saved.")).to_be_visible()
    expect(page.locator("#rows-2-responsible_other-error")).to_be_visible()
    assert page.locator("#rows-0-description").input_value() == rows[0][1]
    assert_accessible(page, f"plan-rows-error-{backend}", artifacts_dir)
    page.locator("#add-actions").screenshot(path=str(artifacts_dir / f"plan-rows-{backend}.png"))
    page.locator("#rows-2-responsible_other").fill("Peer support network")
    page.get_by_role("button", name="Add more rows").click()
    expect(page.locator("#rows-5-description")).to_be_visible()
    assert page.locator("#rows-2-responsible_other").input_value() == "Peer support network"
    page.get_by_role("button", name="Save the actions").click()
    page.wait_for_url("**/plan/#main")
    expect(page.get_by_text("3 actions added.")).to_be_visible()
    for _dimension, what, _days in rows:
        expect(page.get_by_text(what, exact=True)).to_be_visible()
    submit_button = page.get_by_role("button", name="Submit plan for approval")
    assert "button--primary" in (submit_button.get_attribute("class") or "")
    assert_accessible(page, f"plan-draft-{backend}", artifacts_dir)
    page.get_by_role("button", name="Submit plan for approval").click()
    page.wait_for_url("**/plan/")
    expect(page.get_by_text("Waiting for approval", exact=True)).to_be_visible()
    assert_accessible(page, f"plan-submitted-{backend}", artifacts_dir)

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    boss = context.new_page()
    boss.set_default_timeout(15000)
    try:
        sign_in(boss, supervisor)
        boss.goto(case_url)
        boss.locator("#plan").get_by_role("link", name="Review the plan").click()
        boss.wait_for_url("**/plan/review")
        expect(boss.get_by_text("Apply for the small-business grant")).to_be_visible()
        expect(boss.get_by_text("Farida Nazari")).to_be_visible()
        answered = boss.get_by_role("region", name="Needs assessment this plan answers")
        expect(answered.get_by_text("No income since the return")).to_be_visible()
        assert_accessible(boss, f"plan-review-{backend}", artifacts_dir)
        boss.get_by_label("Approve the plan").check()
        boss.get_by_role("button", name="Save decision").click()
        boss.wait_for_url("**/cases/*#plan")
        header = boss.locator(".case-header")
        expect(header.get_by_text("Implementation", exact=True)).to_be_visible()
        expect(boss.locator("#plan").get_by_text("Approved", exact=True)).to_be_visible()
        boss.screenshot(
            path=str(artifacts_dir / f"case-plan-approved-{backend}.png"), full_page=True
        )
        assert_accessible(boss, f"case-plan-approved-{backend}", artifacts_dir)
    finally:
        context.close()

    page.goto(case_url)
    expect(page.locator(".case-header").get_by_text("Implementation", exact=True)).to_be_visible()
    page.locator("#plan").get_by_role("link", name="Open the plan").click()
    expect(page.get_by_role("heading", name="Approval history")).to_be_visible()
    assert_accessible(page, f"plan-approved-{backend}", artifacts_dir)
    page.get_by_role("link", name="Back to case").click()
    follow(page.locator("#assessment").get_by_role("link", name="Assessment history"))
    assert_accessible(page, f"assessment-history-{backend}", artifacts_dir)
    page.get_by_role("link", name=format_date(date.today(), "medium", locale="en")).click()
    expect(page.get_by_text("No income since the return")).to_be_visible()
    assert_accessible(page, f"assessment-{backend}", artifacts_dir)
