"""A caseworker in real Chromium registers a person choosing the nationality and languages by
name and sees the names on the case page; the consent form of an adult asks nothing about a
guardian; screening before consent says consent comes first. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_register_by_names_then_consent_of_an_adult(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("caseworker"))
    page.goto("/cases/new")
    assert_accessible(page, f"register-pickers-{backend}", artifacts_dir)
    page.get_by_label("Full name as the person writes it").fill("Soraya Hakimi")
    page.get_by_label("Date of birth").fill("1990-06-01")
    page.get_by_label("Nationality").select_option(label="Afghanistan")
    page.get_by_label("Languages spoken").select_option(label=["Dari", "Pashto"])
    page.get_by_label("Case type").select_option("returnee")
    page.locator("button[type=submit].button--primary").click()
    page.wait_for_url("**/cases/*-*")
    summary = page.locator("dl").filter(has_text="Nationality").first
    expect(summary.get_by_text("Afghanistan", exact=True)).to_be_visible()
    expect(summary.get_by_text("Dari, Pashto", exact=True)).to_be_visible()
    expect(summary.get_by_text("AF", exact=True)).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / f"case-by-names-{backend}.png"), full_page=True)
    case_page = page.url

    page.goto(f"{case_page}/screening/new")
    expect(page.get_by_role("heading", name="Consent comes first")).to_be_visible()
    assert_accessible(page, f"screening-consent-first-{backend}", artifacts_dir)
    page.get_by_role("link", name="Record consent or another basis").click()
    page.wait_for_url("**/consent/new")
    expect(page.get_by_text("The person is an adult: the consent is their own.")).to_be_visible()
    expect(page.get_by_label("Name of the parent or guardian")).to_have_count(0)
    expect(page.get_by_role("group", name="The child's own view")).to_have_count(0)
    expect(page.locator("main details")).to_have_count(0)  # the header's menu is one too
    assert_accessible(page, f"consent-adult-{backend}", artifacts_dir)


def test_consent_of_a_person_of_unknown_age(page, live_server, artifacts_dir, backend):
    sign_in(page, live_server.account("caseworker"))
    page.goto("/cases/new")
    page.get_by_label("Full name as the person writes it").fill("Nabila Sultani")
    page.get_by_label("Case type").select_option("presumed_victim")
    page.locator("button[type=submit].button--primary").click()
    page.wait_for_url("**/cases/*-*")
    page.goto(f"{page.url}/consent/new")
    guardian = page.get_by_label("Name of the parent or guardian")
    expect(guardian).to_be_hidden()  # behind the closed disclosure
    page.get_by_text("The person is a child", exact=True).click()
    expect(guardian).to_be_visible()
    page.get_by_label("A parent or guardian (the person is a child)").check()
    guardian.fill("Hamid Sultani")
    assert_accessible(page, f"consent-unknown-age-{backend}", artifacts_dir)
