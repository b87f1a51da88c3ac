"""Search, open a result, go Back: the results are shown again (post, redirect, get), with no
"Confirm form resubmission", and no address the page ever asked for holds the term."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e

RESULTS = re.compile(r".*/cases/search/[A-Za-z0-9_-]{16,32}$")


def _search(page, term: str, kind: str = "name") -> None:
    page.goto("/cases/")
    page.get_by_label("Search by").select_option(kind)
    page.get_by_label("Search for").fill(term)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def test_back_from_a_result_shows_the_results(page, live_server, artifacts_dir, backend):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")

    _search(page, "Farida")
    assert RESULTS.match(page.url), page.url
    results_url = page.url
    found = page.get_by_role("status").first.inner_text()  # other tests may add a Farida
    assert found.endswith("found.")
    expect(page.get_by_text("Farida Nazari").first).to_be_visible()
    assert_accessible(page, f"search-results-{backend}", artifacts_dir)
    page.get_by_role("table").get_by_role("link").first.click()
    page.wait_for_url(CASE_PAGE)

    response = page.go_back()
    assert response is not None and response.request.method == "GET"
    assert response.status == 200
    assert page.url == results_url
    expect(page.get_by_text("Farida Nazari").first).to_be_visible()
    assert page.get_by_role("status").first.inner_text() == found
    page.reload()
    expect(page.get_by_text("Farida Nazari").first).to_be_visible()
    assert page.url == results_url
    assert dialogs == []

    _search(page, "1994", "date_of_birth")
    expect(page.get_by_text("Farida Nazari").first).to_be_visible()
    assert RESULTS.match(page.url)
    _search(page, "2001", "date_of_birth")  # a date of birth in 2001, and a demo year only
    expect(page.get_by_text("Aigerim Sadykova")).to_be_visible()
    expect(page.get_by_text("Laila Nazarov").first).to_be_visible()
    for term in ("Farida", "1994", "farida", "2001"):
        assert not [url for url in requested if term in url], term


def test_nobody_found_offers_registration_with_the_name(page, live_server, artifacts_dir, backend):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")  # case teams land on Today
    page.goto("/cases/")
    _search(page, "Ойгул Пардаева")
    expect(page.get_by_text("Nobody you may see matches")).to_be_visible()
    assert_accessible(page, f"search-nobody-{backend}", artifacts_dir)
    page.get_by_role("button", name="Register this person").click()
    page.wait_for_url("**/cases/new")
    assert page.get_by_label("Full name as the person writes it").input_value() == (
        "Ойгул Пардаева"
    )
    expect(page.locator(".field-error")).to_have_count(0)
    assert_accessible(page, f"register-prefilled-{backend}", artifacts_dir)
    assert not [url for url in requested if "Ойгул" in url or "%D0%9E" in url]
