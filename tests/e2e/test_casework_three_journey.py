"""Casework III in one journey, as the issue tells it: a caseworker registers a returning
family of four in one flow, assists the head with a business grant that a supervisor
approves, flags the head's case and records the person's feedback on a completed referral.
The pages themselves are checked with axe-core by each feature's own browser test; this one
follows the work from end to end."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import sign_in
from tests.e2e.test_feedback import _fill_survey, completed_referral

pytestmark = pytest.mark.e2e

HEAD = "Nasir Journeyman"
MEMBERS = [
    ("Zarmina Journeyman", "Spouse or partner"),
    ("Farid Journeyman", "Son or daughter"),
    ("Laleh Journeyman", "Son or daughter"),
]


def _forget_totp_step(live_server, email: str) -> None:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def test_a_family_is_registered_assisted_flagged_and_heard(browser, page, live_server, backend):
    caseworker = live_server.account("caseworker")
    supervisor = live_server.account("supervisor")
    for account in (caseworker, supervisor):
        _forget_totp_step(live_server, account["email"])
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")

    # 1. The family of four, in one flow.
    page.goto("/cases/family/new")
    page.get_by_label("Full name as the person writes it").fill(HEAD)
    page.get_by_label("Nationality").select_option("AF")
    page.get_by_label("Country of return").select_option("AF")
    page.get_by_label("Region").fill("Nangarhar")
    page.get_by_label("Case type").select_option("returnee")
    page.get_by_role("button", name="Register the head of the household").click()
    page.wait_for_url("**/household/register")
    for name, relationship in MEMBERS:
        assert page.get_by_label("Region").input_value() == "Nangarhar"
        page.get_by_label("Relationship in the household").select_option(label=relationship)
        page.get_by_label("Full name as the person writes it").fill(name)
        page.get_by_role("button", name="Register and add to the household").click()
        page.wait_for_url("**/household/register")
    page.get_by_role("link", name="Finish: back to case").click()
    page.wait_for_url("**/cases/*#household")
    head_url = page.url.split("#")[0]
    case_id = head_url.rstrip("/").rsplit("/", 1)[-1]
    for name, _relationship in MEMBERS:
        expect(page.locator("#household").get_by_role("link", name=name)).to_be_visible()

    # 2. A business grant above the approval threshold waits for a second person.
    page.locator("#assistance").get_by_role("link", name="Record assistance").click()
    page.wait_for_url("**/assistance/new")
    page.get_by_label("Kind of assistance").select_option("business_grant")
    page.get_by_label("Amount").fill("1500")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_role("button", name="Record assistance").click()
    page.wait_for_url("**/cases/*#assistance")
    expect(page.locator("#assistance-pending").get_by_text("$1,500.00")).to_be_visible()

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        boss = context.new_page()
        boss.set_default_timeout(15000)
        sign_in(boss, supervisor)
        boss.goto(head_url + "#assistance")
        boss.locator("#assistance").get_by_role("link").filter(
            has_text=re.compile(r"\d")
        ).first.click()
        boss.get_by_role("link", name="Approve or return").click()
        boss.wait_for_url("**/decision")
        boss.get_by_label("Approve the disbursement").check()
        boss.get_by_role("button", name="Record the decision").click()
        boss.wait_for_url("**/cases/*#assistance")
        expect(boss.locator("#assistance-totals").get_by_text("$1,500.00")).to_be_visible()
    finally:
        context.close()

    # 3. A flag at the top of the head's case.
    page.goto(head_url)
    page.get_by_role("link", name="Raise a flag").click()
    page.get_by_label("Kind of flag").select_option("re_trafficking_risk")
    page.get_by_label("Why this flag").fill("The recruiter asked the neighbours about him.")
    page.get_by_role("button", name="Raise the flag").click()
    page.wait_for_url("**/cases/*#safety")
    banner = page.get_by_role("region", name="Active flags")
    expect(banner.get_by_text("Risk of re-trafficking")).to_be_visible()

    # 4. The person's feedback on a completed referral.
    reference, referral_id, _clinic = completed_referral(live_server, uuid.UUID(case_id), "REF-J3")
    page.goto("/cases/")  # the case page again, not a jump within the page already shown
    page.goto(head_url + "#feedback")
    page.get_by_role("link", name=re.compile(f"feedback on referral {reference}")).click()
    page.wait_for_url(f"**/referrals/{referral_id}/feedback")
    _fill_survey(page, "They listened to me")
    page.get_by_role("button", name="Record the feedback").click()
    page.wait_for_url(f"**/cases/{case_id}*")
    expect(page.locator("#feedback").get_by_text("They listened to me")).to_be_visible()
