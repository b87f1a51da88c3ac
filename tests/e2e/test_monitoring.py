"""A caseworker in real Chromium records a monitoring visit with survey answers and sees the
scores and the chart; an administrator changes a weight and the old visit keeps its scores.
axe-core on every page, screenshots as artifacts."""

from __future__ import annotations

import pytest
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


def test_record_a_visit_then_change_a_weight(page, browser, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    _forget_totp_step(live_server, caseworker["email"])
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Bekzod Tursunov").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    panel = page.locator("#monitoring")
    expect(panel.get_by_text("No monitoring visit recorded yet.")).to_be_visible()

    follow(panel.get_by_role("link", name="Record a visit"))
    assert_accessible(page, f"visit-form-{backend}", artifacts_dir)
    page.get_by_label("Type of visit").select_option("home")
    page.get_by_label("Notes on the visit").fill("Works at the bakery three days a week")
    # Radio buttons, by keyboard: Tab into a question's group, arrows move the choice.
    income = page.get_by_role("group", name="Income", exact=True)
    expect(income.get_by_role("radio")).to_have_count(4)
    income.get_by_label("Not asked or no answer").focus()
    page.keyboard.press("ArrowDown")  # from "not asked" (last) round to the first answer
    page.keyboard.press("ArrowDown")
    assert income.get_by_label("Irregular or not enough to live on").is_checked()
    page.keyboard.press("Tab")  # on to the next question, Work: left at "not asked"
    assert (
        page.get_by_role("group", name="Work")
        .get_by_label("Not asked or no answer")
        .evaluate("e => e === document.activeElement")
    )
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowUp")  # Debt: from "not asked" up to "No debt"
    assert page.get_by_role("group", name="Debt").get_by_label("No debt").is_checked()
    page.get_by_role("group", name="Identity and civil documents").get_by_label(
        "Has all the documents needed"
    ).check()
    page.get_by_role("group", name="Feels safe where they live").get_by_label(
        "Safe", exact=True
    ).check()
    page.screenshot(path=str(artifacts_dir / f"visit-form-{backend}.png"), full_page=True)
    page.get_by_role("button", name="Save visit").click()
    page.wait_for_url("**/cases/*#monitoring")

    # economic (0.5 + 1) / 2 = 0.75, social 1, psychosocial 1: composite 2.75 / 3 = 0.92
    panel = page.locator("#monitoring")
    assert panel.locator("td strong").first.inner_text().startswith("0.92")
    expect(panel.get_by_text("Uncalibrated weights")).to_have_count(1)  # once, on the chart
    chart = panel.locator("svg.chart__svg--wide")
    expect(chart).to_be_visible()
    expect(panel.locator("svg.chart__svg--narrow")).to_be_hidden()
    # three dimensions and the composite
    expect(chart.locator("path.chart__point")).to_have_count(4)
    expect(page.locator(".case-header").get_by_text("Monitoring", exact=True)).to_be_visible()
    panel.get_by_text("What the scores mean").click()
    expect(panel.get_by_text("Most needs are met.")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"case-monitoring-{backend}.png"), full_page=True)
    assert_accessible(page, f"case-monitoring-{backend}", artifacts_dir)
    case_url = page.url

    panel.get_by_role("link", name="All visits").click()
    expect(page.get_by_text("Works at the bakery three days a week")).to_be_visible()
    answers = page.get_by_role("table", name="Answers").locator("tbody tr td:first-child")
    assert answers.all_inner_texts() == [
        "Income",
        "Debt",
        "Identity and civil documents",
        "Feels safe where they live",
    ]
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
        expect(admin_page.get_by_text("Version 2 of the survey is in force.")).to_be_visible()
        admin_page.screenshot(
            path=str(artifacts_dir / f"survey-weights-{backend}.png"), full_page=True
        )
    finally:
        context.close()

    page.goto(case_url)
    panel = page.locator("#monitoring")
    assert panel.locator("td strong").first.inner_text().startswith("0.92")
    expect(panel.get_by_text("Uncalibrated weights")).to_have_count(1)


def test_the_demo_case_shows_three_visits_of_progress(page, live_server, artifacts_dir, backend):
    caseworker = live_server.account("caseworker")
    _forget_totp_step(live_server, caseworker["email"])
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Nilufar Karimova").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    panel = page.locator("#monitoring")
    expect(panel.locator("svg.chart__svg--wide path.chart__point")).to_have_count(12)
    composites = [float(c.split()[0]) for c in panel.locator("td strong").all_inner_texts()]
    assert len(composites) == 3 and composites == sorted(composites)
    assert composites[0] < 0.5 < composites[-1]


@pytest.mark.parametrize("width", [375, 1366])
def test_the_chart_fits_the_screen_with_readable_labels(
    browser, live_server, artifacts_dir, backend, width
):
    """At 375 px and 1366 px: no sideways scrolling, the chart as wide as its card, its
    labels at 11 px or more on screen and none overlapping another."""
    caseworker = live_server.account("caseworker")
    _forget_totp_step(live_server, caseworker["email"])
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, caseworker)
        page.goto("/cases/")
        page.get_by_role("row").filter(has_text="Nilufar Karimova").get_by_role("link").click()
        page.wait_for_url(CASE_PAGE)
        page.goto(page.url.split("#")[0] + "/monitoring/")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        charts = page.locator("svg.chart__svg")
        visible = [charts.nth(n) for n in range(charts.count()) if charts.nth(n).is_visible()]
        assert len(visible) == 1
        chart = visible[0]
        expected = "chart__svg--narrow" if width < 768 else "chart__svg--wide"
        assert expected in (chart.get_attribute("class") or "")
        card = chart.evaluate("e => e.closest('.card').getBoundingClientRect().width")
        assert chart.bounding_box()["width"] >= card * 0.85  # the chart takes the card's width
        boxes = chart.locator("text").evaluate_all(
            """els => els.map(e => {
                const r = e.getBoundingClientRect();
                return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
                        size: parseFloat(getComputedStyle(e).fontSize) *
                              e.ownerSVGElement.getBoundingClientRect().width /
                              e.ownerSVGElement.viewBox.baseVal.width};
            })"""
        )
        assert boxes and min(b["size"] for b in boxes) >= 11
        for n, a in enumerate(boxes):
            for b in boxes[n + 1 :]:
                apart = a["x1"] <= b["x0"] or b["x1"] <= a["x0"]
                assert apart or a["y1"] <= b["y0"] or b["y1"] <= a["y0"], (a, b)
        chart.evaluate("e => e.closest('.card').scrollIntoView()")
        page.locator(".card", has=chart).screenshot(
            path=str(artifacts_dir / f"monitoring-chart-{width}-{backend}.png")
        )
        assert_accessible(page, f"monitoring-history-{width}-{backend}", artifacts_dir)
    finally:
        context.close()
