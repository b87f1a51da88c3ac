"""A caseworker in real Chromium records consent, a screening and the reflection period on a
demo case; axe-core on every page, screenshots as artifacts."""

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
    """Other browser tests sign this account in too; a TOTP code is good once per 30 s step."""
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


@pytest.fixture
def caseworker(live_server):
    account = live_server.account("caseworker")
    _forget_totp_step(live_server, account["email"])
    yield account
    _forget_totp_step(live_server, account["email"])


def test_record_consent_and_screening(page, live_server, artifacts_dir, backend, caseworker):
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Ahmad Rahimi").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    expect(page.get_by_role("heading", name="Consent and legal basis")).to_be_visible()

    page.get_by_role("link", name="Record consent or another basis").click()
    expect(page.get_by_text("Consent is often not free when aid depends on it")).to_be_visible()
    assert_accessible(page, f"consent-form-{backend}", artifacts_dir)
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("What the consent is for").fill("Share health needs with the clinic")
    page.get_by_label("How it was given").select_option("oral")
    page.get_by_label("Date given").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Health care").check()
    page.get_by_role("button", name="Save legal basis").click()
    page.wait_for_url("**/cases/*#consent")
    expect(page.get_by_text("Share health needs with the clinic")).to_be_visible()

    follow(page.get_by_role("link", name="Screen for trafficking"))
    assert_accessible(page, f"screening-form-{backend}", artifacts_dir)
    indicators = page.get_by_role("group", name="ILO indicators of forced labour")
    indicators.get_by_label("Deception").check()
    indicators.get_by_label("Debt bondage").check()
    page.get_by_role("group", name="Means of control").get_by_label("Threats", exact=True).check()
    page.get_by_label("Forced labour").check()
    page.get_by_label("Possible victim of trafficking").check()
    page.get_by_label("Who decided").select_option("ngo")
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_url("**/screening/reflection")
    assert_accessible(page, f"reflection-form-{backend}", artifacts_dir)
    assert page.get_by_label("Length in days").input_value() == "30"
    page.get_by_role("button", name="Save reflection period").click()
    page.wait_for_url("**/cases/*#screening")
    ends = format_date(date.today() + timedelta(days=30), "medium", locale="en")
    screening = page.locator("#screening")
    expect(screening.get_by_text(ends)).to_be_visible()
    expect(screening.get_by_text("30 days left")).to_be_visible()
    expect(screening.get_by_text("Possible victim of trafficking")).to_be_visible()
    page.screenshot(
        path=str(artifacts_dir / f"case-consent-screening-{backend}.png"), full_page=True
    )
    assert_accessible(page, f"case-consent-screening-{backend}", artifacts_dir)

    follow(page.get_by_role("link", name="Withdraw").first)
    assert_accessible(page, f"withdraw-form-{backend}", artifacts_dir)
    page.get_by_label("Why it is withdrawn").fill("Changed his mind at the second interview")
    page.get_by_role("button", name="Withdraw now").click()
    page.wait_for_url("**/cases/*#consent")
    expect(page.get_by_text("Changed his mind at the second interview")).to_be_visible()
    follow(page.get_by_role("link", name="Consent history"))
    assert_accessible(page, f"consent-history-{backend}", artifacts_dir)
