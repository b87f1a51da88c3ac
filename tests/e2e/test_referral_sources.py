"""Referral sources and figures by area in real Chromium: a caseworker registers a case with
a referral source and a district (plain <select>s, no script), sees the source on the case
page, and the supervisor's referral figures count the case under its province ("<5");
axe-clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.places import services as places
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "places_af.csv"


@pytest.fixture
def imported_places(live_server) -> None:
    app = live_server.app
    with app.app_context(), app.extensions["homeward_db"].session_scope() as db:
        report = places.import_places(db, FIXTURE.read_bytes(), source="command")
        assert report.ok, report.problems


def test_register_with_a_referral_source_then_the_figures_count_the_province(
    page, live_server, artifacts_dir, backend, browser, imported_places
):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="en-GB"
    )
    worker = context.new_page()
    try:
        sign_in(worker, live_server.account("caseworker"))
        worker.goto("/cases/new")
        worker.get_by_label("Full name as the person writes it").fill("Nasrin Sources")
        worker.get_by_label("Case type").select_option("returnee")
        worker.get_by_label("Province or district of return or identification").select_option(
            "AF3005"
        )
        worker.get_by_label("Referral source").select_option("hotline")
        worker.get_by_label("Referred by").fill("Helpline operator")
        worker.get_by_role("button", name="Register").click()
        worker.wait_for_url("**/cases/*")
        assert worker.locator("#case-referral-source").inner_text() == "Hotline"
        assert_accessible(worker, f"case-referral-source-{backend}", artifacts_dir)
    finally:
        context.close()

    sign_in(page, live_server.account("supervisor"))
    page.goto("/referrals/figures")
    region = page.get_by_role("region", name="By province of return or identification")
    row = region.get_by_role("row").filter(has_text="Herat, Afghanistan")
    assert row.is_visible()
    cases = row.get_by_role("cell").first.inner_text()
    assert re.fullmatch(r"<5|[5-9]|\d{2,}", cases), cases  # one or more: "<5" below five
    assert page.get_by_text("To protect the people counted").is_visible()
    assert_accessible(page, f"area-figures-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"area-figures-{backend}.png"), full_page=True)
