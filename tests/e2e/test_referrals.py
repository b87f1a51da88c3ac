"""In real Chromium: a caseworker records consent, sees which services it covers and refers
with chosen fields after a preview; the demo provider accepts (apart from declining) and
completes; the caseworker sees the outcome on the case, and marks a plan action done once its
referral was completed; the provider declines a referral for a reason chosen from the list,
and the caseworker reads it. axe-core on every page."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from auth.models import User
from casework.planning.models import PlanAction
from core.clock import utcnow
from referrals.directory.models import Service
from referrals.models import Referral, ReferralEvent
from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _forget_totp_step(live_server, email: str) -> None:
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def test_refer_answer_and_see_the_outcome(browser, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    provider = live_server.account("provider_staff")
    for account in (caseworker, provider):
        _forget_totp_step(live_server, account["email"])

    worker_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = worker_context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Rustam Aliev").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    case_address = page.url

    page.get_by_role("link", name="Record consent or another basis").click()
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("What the consent is for").fill("Medical check-up at the Hope Centre")
    page.get_by_label("How it was given").select_option("written")
    page.get_by_label("Date given").fill(date.today().isoformat())
    page.get_by_label("Hope Psychosocial Centre (demo)").check()
    page.get_by_label("Health care").check()
    page.get_by_role("button", name="Save legal basis").click()
    page.wait_for_url("**/cases/*#consent")

    page.get_by_role("link", name="Refer to a service").click()
    # Each service says whether the consent just recorded (health care, the clinic) covers it.
    rows = page.get_by_role("row")
    medical = rows.filter(has_text="Medical check-up on arrival")
    expect(medical.get_by_text("Covered by consent", exact=True)).to_be_visible()
    legal = rows.filter(has_text="Legal advice and civil documents")
    expect(legal.get_by_text("Not covered by the recorded consent")).to_be_visible()
    assert_accessible(page, f"referral-choose-all-{backend}", artifacts_dir)
    page.get_by_label("Type of service").select_option("health")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=health*")
    assert_accessible(page, f"referral-choose-{backend}", artifacts_dir)
    page.get_by_role("row").filter(has_text="Medical check-up on arrival").get_by_role(
        "link"
    ).click()
    expect(page.get_by_role("button", name="Preview what the provider will see")).to_be_visible()
    assert_accessible(page, f"referral-form-{backend}", artifacts_dir)
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("Why you refer the person").fill("Check-up after a hard journey")
    page.get_by_role("group", name="Legal basis for sharing").get_by_role("radio").first.check()
    fields = page.get_by_role("group", name="Fields to share")
    fields.get_by_label("Phone").uncheck()
    fields.get_by_label("Vulnerabilities").uncheck()
    fields.get_by_label("Name (Latin letters)").check()
    page.get_by_role("button", name="Preview what the provider will see").click()
    expect(
        page.get_by_role("heading", name="Preview: what Hope Psychosocial Centre")
    ).to_be_visible()
    expect(page.get_by_text("Rustam Aliev")).to_be_visible()
    expect(page.get_by_text("Рустам")).to_have_count(0)  # original script not chosen
    assert_accessible(page, f"referral-preview-{backend}", artifacts_dir)
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_url("**/referrals/*/sent")
    reference = page.get_by_role("heading", level=1).inner_text().split()[-1]
    assert reference.startswith("REF-")
    assert_accessible(page, f"referral-sent-{backend}", artifacts_dir)

    provider_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    other = provider_context.new_page()
    other.set_default_timeout(15000)
    sign_in(other, provider)
    other.goto("/referrals/inbox")
    assert_accessible(other, f"referral-inbox-{backend}", artifacts_dir)
    other.get_by_role("link", name=reference).click()
    expect(other.get_by_text("Rustam Aliev")).to_be_visible()
    expect(other.get_by_text("Check-up after a hard journey")).to_be_visible()
    assert_accessible(other, f"referral-provider-view-{backend}", artifacts_dir)
    accepting = other.get_by_role("region", name="Accept the referral")
    declining = other.get_by_role("region", name="Decline the referral")
    expect(accepting.get_by_role("textbox", name="Why you decline")).to_have_count(0)
    expect(declining.get_by_role("button", name="Accept")).to_have_count(0)
    expect(declining.get_by_role("textbox")).to_have_count(1)
    reasons = declining.get_by_role("combobox", name="Reason")
    assert (
        reasons.locator("option").nth(1).inner_text() == "No capacity or the waiting list is full"
    )
    accepting.get_by_role("button", name="Accept").click()
    expect(other.get_by_text("Saved: Accepted.")).to_be_visible()
    other.get_by_role("textbox", name="Outcome (required)", exact=True).fill(
        "Examined; physiotherapy arranged"
    )
    other.get_by_label("Date of the outcome").fill(date.today().isoformat())
    assert_accessible(other, f"referral-provider-accepted-{backend}", artifacts_dir)
    other.get_by_role("button", name="Mark completed").click()
    expect(other.get_by_text("Saved: Completed.")).to_be_visible()
    other.screenshot(path=str(artifacts_dir / f"referral-provider-{backend}.png"), full_page=True)
    provider_context.close()

    page.goto(case_address)
    referrals = page.locator("#referrals")
    expect(referrals.get_by_text(reference)).to_be_visible()
    expect(referrals.get_by_text("Examined; physiotherapy arranged")).to_be_visible()
    expect(referrals.get_by_text("Completed").first).to_be_visible()
    assert_accessible(page, f"referral-case-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"referral-case-{backend}.png"), full_page=True)
    worker_context.close()


def _completed_for_plan_action(live_server) -> tuple[str, str]:
    """The demo's completed referral that carried out a plan action, and that action's id."""
    with live_server.app.extensions["homeward_db"].new_session() as db:
        row = db.execute(
            select(Referral.id, PlanAction.id)
            .join(PlanAction, PlanAction.referral_id == Referral.id)
            .where(Referral.state == "completed")
        ).first()
    assert row is not None, "the demo has a completed referral for a plan action"
    return str(row[0]), str(row[1])


def test_caseworker_marks_the_plan_action_done_after_completion(
    browser, live_server, artifacts_dir, backend
):
    caseworker = live_server.account("caseworker")
    _forget_totp_step(live_server, caseworker["email"])
    referral_id, action_id = _completed_for_plan_action(live_server)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, caseworker)
    page.goto(f"/referrals/{referral_id}/sent")
    offer = page.get_by_role("region", name="Reintegration plan")
    expect(offer.get_by_text("Mark the plan action 'Weekly counselling' done?")).to_be_visible()
    assert_accessible(page, f"referral-offer-action-done-{backend}", artifacts_dir)
    offer.get_by_role("button", name="Mark it done").click()
    page.wait_for_url(f"**/referrals/{referral_id}/sent")
    expect(page.get_by_text("Status updated.")).to_be_visible()
    expect(page.get_by_role("region", name="Reintegration plan")).to_have_count(0)
    assert_accessible(page, f"referral-action-done-{backend}", artifacts_dir)
    with live_server.app.extensions["homeward_db"].new_session() as db:
        assert db.get(PlanAction, uuid.UUID(action_id)).status == "done"
    context.close()


def _waiting_counselling_referral(live_server) -> str:
    """The demo's counselling referral still waiting for the clinic's answer (not overdue)."""
    with live_server.app.extensions["homeward_db"].new_session() as db:
        found = db.scalar(
            select(Referral.id)
            .join(Service, Service.id == Referral.service_id)
            .where(
                Referral.state == "sent",
                Referral.respond_by > utcnow(),
                Service.name == "Psychosocial counselling",
            )
        )
    assert found is not None, "the demo has a counselling referral waiting for an answer"
    return str(found)


def test_provider_declines_for_a_reason_the_caseworker_reads(
    browser, live_server, artifacts_dir, backend
):
    provider = live_server.account("provider_staff")
    caseworker = live_server.account("caseworker@demo.homeward.test")  # who referred
    for account in (caseworker, provider):
        _forget_totp_step(live_server, account["email"])
    referral_id = _waiting_counselling_referral(live_server)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, provider)
    page.goto(f"/referrals/{referral_id}")
    declining = page.get_by_role("region", name="Decline the referral")
    explanation = "Both Dari-speaking counsellors are booked until spring."
    declining.get_by_role("textbox", name="Why you decline").fill(explanation)
    declining.get_by_role("button", name="Decline").click()
    # No reason chosen: refused, the message tied to the select, what was typed kept.
    declining = page.get_by_role("region", name="Decline the referral")
    reasons = declining.get_by_role("combobox", name="Reason")
    expect(declining.get_by_text("Choose the reason you decline.")).to_be_visible()
    assert "reason_code-error" in (reasons.get_attribute("aria-describedby") or "")
    assert reasons.get_attribute("aria-invalid") == "true"
    assert declining.get_by_role("textbox", name="Why you decline").input_value() == explanation
    assert_accessible(page, f"referral-decline-error-{backend}", artifacts_dir)
    reasons.select_option(label="No capacity or the waiting list is full")
    declining.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("Saved: Declined.")).to_be_visible()
    assert_accessible(page, f"referral-declined-{backend}", artifacts_dir)
    context.close()
    with live_server.app.extensions["homeward_db"].new_session() as db:
        codes = db.scalars(
            select(ReferralEvent.reason_code).where(
                ReferralEvent.referral_id == uuid.UUID(referral_id),
                ReferralEvent.to_state == "declined",
            )
        )
        assert list(codes) == ["no_capacity"]

    worker_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    worker = worker_context.new_page()
    worker.set_default_timeout(15000)
    sign_in(worker, caseworker)
    worker.goto(f"/referrals/{referral_id}/sent")
    expect(worker.get_by_text("No capacity or the waiting list is full").first).to_be_visible()
    expect(worker.get_by_text(explanation).first).to_be_visible()
    worker_context.close()
