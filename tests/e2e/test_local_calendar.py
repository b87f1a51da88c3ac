"""A Dari-speaking caseworker in real Chromium: a Solar Hijri date of birth typed in Persian
digits, shown back in Solar Hijri, stored as the right Gregorian date; nationality by name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from auth.models import User
from casework.models import Case, Person
from tests.e2e.conftest import LiveServer, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def dari_caseworker(live_server: LiveServer) -> Iterator[dict[str, Any]]:
    account = live_server.account("caseworker")
    database = live_server.app.extensions["homeward_db"]

    def prefer(language: str) -> None:
        with database.session_scope() as session:
            session.execute(
                update(User)
                .where(User.email == account["email"])
                .values(preferred_language=language)
            )

    prefer("fa_AF")
    try:
        yield account
    finally:
        prefer("en")


def test_solar_hijri_date_of_birth_round_trip(page, live_server, dari_caseworker, artifacts_dir):
    sign_in(page, dari_caseworker)
    page.goto("/cases/new")
    birth = page.locator("#date_of_birth")
    assert birth.get_attribute("type") == "text"  # not the browser's mm/dd/yyyy picker
    assert birth.get_attribute("placeholder")
    page.locator("#name_original").fill("گلالۍ صافي")
    birth.fill("۱۳۷۳/۱۲/۲۴")
    page.locator("#nationality").select_option("AF")
    assert page.locator("#nationality option:checked").inner_text() == "افغانستان"
    page.locator("#case_type").select_option("returnee")
    page.locator("button[type=submit].button--primary").click()
    page.wait_for_url("**/cases/*-*")
    page.screenshot(path=str(artifacts_dir / "case-fa_AF-solar-hijri.png"), full_page=True)

    shown = page.locator("time[datetime='1995-03-15']").first
    assert shown.inner_text().strip().startswith("۲۴ حوت ۱۳۷۳")
    assert shown.get_attribute("title") == "1995-03-15"  # the Gregorian date on hover
    expect(page.get_by_text("افغانستان", exact=True).first).to_be_visible()

    case_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[1])
    database = live_server.app.extensions["homeward_db"]
    with live_server.app.app_context(), database.session_scope() as session:
        person = session.scalar(select(Person).join(Case).where(Case.id == case_id))
        assert person is not None
        assert person.date_of_birth == date(1995, 3, 15)
        assert person.nationality == "AF"
