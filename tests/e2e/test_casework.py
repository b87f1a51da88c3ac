"""A caseworker in real Chromium: caseload, registration with a duplicate warning, search in
three scripts, the case page and a note; axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PAGE, assert_accessible, follow, sign_in

pytestmark = pytest.mark.e2e


def _search(page, term: str) -> None:
    page.goto("/cases/")
    page.get_by_label("Search for").fill(term)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/cases/search**")


def test_register_find_and_annotate(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    assert_accessible(page, f"cases-{backend}", artifacts_dir)

    follow(page.get_by_role("link", name="Register a person"))
    assert_accessible(page, f"register-{backend}", artifacts_dir)
    page.get_by_label("Full name as the person writes it").fill("Фарида Назари")
    page.get_by_label("Date of birth", exact=True).fill("1994-03-15")
    page.get_by_label("Case type").select_option("returnee")
    page.get_by_label("Child", exact=True).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Possible matches")).to_be_visible()
    # the demo Farida, in this worker's scope
    expect(page.get_by_text("فریده نظری")).to_be_visible()
    assert_accessible(page, f"register-duplicates-{backend}", artifacts_dir)
    page.get_by_label("None of these is the same person").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(CASE_PAGE)
    expect(page.get_by_role("heading", name="Фарида Назари")).to_be_visible()
    assert "Фарида" not in page.url and "1994" not in page.url
    page.get_by_label("New note").fill("Arrived by bus; needs a doctor.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Arrived by bus; needs a doctor.")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"case-{backend}.png"), full_page=True)
    assert_accessible(page, f"case-{backend}", artifacts_dir)

    for term, expected in [
        ("فریده", "Farida Nazari"),
        ("Рустам", "Rustam Aliev"),
        ("Farīda", "Farida Nazari"),
    ]:
        _search(page, term)
        expect(page.get_by_text(expected).first, term).to_be_visible()
    assert_accessible(page, f"search-{backend}", artifacts_dir)
