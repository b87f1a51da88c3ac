"""A caseworker in real Chromium records a monitoring visit with survey answers and sees the
scores and the chart; an administrator changes a weight and the old visit keeps its scores.
axe-core on every page, screenshots as artifacts."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _forget_totp_step(live_server, email: str) -> None:
    """Other browser tests sign this account in too; a TOTP code is good once per 30 s step."""
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.commit()


def test_record_a_visit_then_change_a_weight(page, browser, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    _forget_totp_step(live_server, caseworker["email"])
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Bekzod Tursunov").get_by_role("link").click()
    page.wait_for_url("**/cases/*")
    panel = page.locator("#monitoring")
    assert panel.get_by_text("No monitoring visit recorded yet.").is_visible()

    panel.get_by_role("link", name="Record a visit").click()
    assert_accessible(page, f"visit-form-{backend}", artifacts_dir)
    page.get_by_label("Type of visit").select_option("home")
    page.get_by_label("Notes on the visit").fill("Works at the bakery three days a week")
    page.get_by_label("Income", exact=True).select_option("irregular")
    page.get_by_label("Debt", exact=True).select_option("none")
    page.get_by_label("Identity and civil documents").select_option("all")
    page.get_by_label("Feels safe where they live").select_option("safe")
    page.get_by_role("button", name="Save visit").click()
    page.wait_for_url("**/cases/*#monitoring")

    # economic (0.5 + 1) / 2 = 0.75, social 1, psychosocial 1: composite 2.75 / 3 = 0.92
    panel = page.locator("#monitoring")
    assert panel.locator("td strong").first.inner_text() == "0.92"
    assert panel.get_by_text("Uncalibrated weights, version 1").first.is_visible()
    assert panel.locator("svg[role=img]").is_visible()
    assert panel.locator("svg circle").count() == 4  # three dimensions and the composite
    assert page.locator(".case-header").get_by_text("Monitoring", exact=True).is_visible()
    page.screenshot(path=str(artifacts_dir / f"case-monitoring-{backend}.png"), full_page=True)
    assert_accessible(page, f"case-monitoring-{backend}", artifacts_dir)
    case_url = page.url

    panel.get_by_role("link", name="All visits").click()
    assert page.get_by_text("Works at the bakery three days a week").is_visible()
    assert_accessible(page, f"visit-history-{backend}", artifacts_dir)

    admin = live_server.account("administrator")
    _forget_totp_step(live_server, admin["email"])
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    admin_page = context.new_page()
    admin_page.set_default_timeout(15000)
    try:
        sign_in(admin_page, admin)
        admin_page.get_by_role("link", name="Survey weights").click()
        admin_page.wait_for_url("**/monitoring-survey/")
        assert_accessible(admin_page, f"survey-weights-{backend}", artifacts_dir)
        admin_page.get_by_label("Income", exact=True).fill("3")
        admin_page.get_by_role("button", name="Save as a new version").click()
        assert admin_page.get_by_text("Version 2 of the survey is in force.").is_visible()
        admin_page.screenshot(
            path=str(artifacts_dir / f"survey-weights-{backend}.png"), full_page=True
        )
    finally:
        context.close()

    page.goto(case_url)
    panel = page.locator("#monitoring")
    assert panel.locator("td strong").first.inner_text() == "0.92"
    assert panel.get_by_text("Uncalibrated weights, version 1").first.is_visible()


def test_the_demo_case_shows_three_visits_of_progress(page, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    _forget_totp_step(live_server, caseworker["email"])
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Nilufar Karimova").get_by_role("link").click()
    page.wait_for_url("**/cases/*")
    panel = page.locator("#monitoring")
    assert panel.locator("svg circle").count() == 12
    composites = [float(c) for c in panel.locator("td strong").all_inner_texts()]
    assert len(composites) == 3 and composites == sorted(composites)
    assert composites[0] < 0.5 < composites[-1]
