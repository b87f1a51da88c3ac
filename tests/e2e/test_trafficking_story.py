"""A caseworker in real Chromium reads a demo case's trafficking story and records a new version
of it (recruiter, countries, months, sector); axe-core on every page, screenshots as
artifacts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import CASE_PAGE, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def caseworker(live_server):
    account = live_server.account("caseworker")
    with live_server.app.extensions["homeward_db"].new_session() as db:
        db.execute(update(User).where(User.email == account["email"]).values(totp_last_step=None))
        db.commit()
    return account


def test_update_the_trafficking_story(page, live_server, artifacts_dir, backend, caseworker):
    sign_in(page, caseworker)
    page.wait_for_url("**/today/")
    page.goto("/cases/")
    page.get_by_role("row").filter(has_text="Farida Nazari").get_by_role("link").click()
    page.wait_for_url(CASE_PAGE)
    story = page.locator("#story")
    expect(story.get_by_role("heading", name="The trafficking story")).to_be_visible()
    expect(story.get_by_text("Friend")).to_be_visible()  # the demo story

    story.get_by_role("link", name="Update the story").click()
    page.wait_for_url("**/screening/story/edit")
    expect(page.get_by_text("never a condition of help")).to_be_visible()
    assert_accessible(page, f"story-form-{backend}", artifacts_dir)
    page.get_by_role("group", name="The recruiter was the person's").get_by_label(
        "Family member"
    ).check()
    page.get_by_label("Countries of exploitation").select_option(["RU", "KZ"])
    page.get_by_label("Month the exploitation started").fill("2023-11")
    page.get_by_role("group", name="Sectors of exploitation").get_by_label("Agriculture").check()
    page.get_by_role("button", name="Save the story").click()
    page.wait_for_url("**/cases/*#story")
    story = page.locator("#story")
    expect(story.get_by_text("Family member")).to_be_visible()
    expect(story.get_by_text("Kazakhstan")).to_be_visible()
    assert_accessible(page, f"case-story-{backend}", artifacts_dir)

    story.get_by_role("link", name="The whole story and its versions").click()
    page.wait_for_url("**/screening/story")
    expect(page.get_by_role("heading", name="Version 2 (in force)")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 1", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"trafficking-story-{backend}.png"), full_page=True)
    assert_accessible(page, f"story-versions-{backend}", artifacts_dir)
