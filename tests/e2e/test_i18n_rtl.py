"""Dari and Arabic in real Chromium: every page a caseworker, a provider and an auditor reach
is right to left, fits 1366 px without a horizontal scroll bar and passes axe-core; a
screenshot of each is kept under test-output/. One browser context per role and language;
each kind of page is opened once (found by following the signed-in user's links breadth
first, from the navigation down; two links differing only in an id are the same page)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import update

from auth.models import User
from tests.e2e.conftest import assert_accessible
from tests.i18n.test_language_choice import translated

pytestmark = pytest.mark.e2e

LANGUAGES = {"fa_AF": "fa-AF", "ar": "ar"}
ROLES = ("caseworker", "provider_staff", "auditor")
PAGES_PER_ROLE = 24
WIDTH, HEIGHT = 1366, 900
#: Links that are not pages: downloads, exports, sign-out.
NOT_PAGES = re.compile(r"(\.json$|/attachments/[0-9a-f-]{36}$|/export$|/logout|/static/)")


#: The elements that stick out of the window, for the failure message.
WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().left < 0 || e.getBoundingClientRect().right > innerWidth)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.scrollWidth))"""


def _set_language(live_server: Any, email: str, code: str) -> None:
    with live_server.app.extensions["homeward_db"].session_scope() as session:
        session.execute(update(User).where(User.email == email).values(preferred_language=code))


@pytest.fixture
def speaker(live_server: Any, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The demo account of the role, speaking the language for this test only."""
    language, role = request.param
    account = live_server.account(role)
    _set_language(live_server, account["email"], language)
    try:
        yield {"language": language, "role": role, **account}
    finally:
        _set_language(live_server, account["email"], "en")


def _sign_in(page: Any, account: dict[str, Any]) -> None:
    """The real sign-in pages, found by field ids (their labels are in the user's language)."""
    page.goto("/login")
    page.locator("#email").fill(account["email"])
    page.locator("#password").fill(account["password"])
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/login/second-factor")
    page.locator("#code").fill(pyotp.TOTP(account["totp_secret"]).now())
    page.locator("form:has(#code) button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def _links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav.main-nav a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or NOT_PAGES.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _check(page: Any, path: str, name: str, artifacts: Any) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl", path
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{path}: {widths[0]} px wide in a {widths[1]} px window; widest: "
        + str(page.evaluate(WIDEST))
    )
    assert_accessible(page, name, artifacts)


def _slug(link: str) -> str:
    """The kind of page: its path with ids replaced, and the names of its query parameters
    (a filter or the next page of a list is the same page; the print view is another)."""
    parts = urlsplit(link)
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "id", parts.path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"[^a-z0-9]+", "-", " ".join([path, *keys]).lower()).strip("-") or "start"


@pytest.mark.parametrize(
    "speaker",
    [(language, role) for language in LANGUAGES for role in ROLES],
    indirect=True,
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def test_pages_are_right_to_left_fit_and_accessible(
    browser, live_server, speaker, artifacts_dir, backend
):
    if backend != "sqlite":
        pytest.skip("direction and layout do not depend on the database; one walk is enough")
    context = browser.new_context(
        base_url=live_server.url,
        locale=LANGUAGES[speaker["language"]],
        viewport={"width": WIDTH, "height": HEIGHT},
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        _sign_in(page, speaker)
        start = urlsplit(page.url).path
        queue, seen = [start], {_slug(start)}
        checked = []
        while queue and len(checked) < PAGES_PER_ROLE:
            path = queue.pop(0)
            name = f"rtl-{speaker['language']}-{speaker['role']}-{_slug(path)}-{backend}"
            _check(page, path, name, artifacts_dir)
            checked.append(path)
            for link in _links(page):
                if _slug(link) not in seen:
                    seen.add(_slug(link))
                    queue.append(link)
        assert len(checked) >= 3, f"only {checked} reached"
    finally:
        context.close()


def test_sign_in_page_in_dari_and_in_russian(browser, live_server, artifacts_dir, backend):
    for locale, lang, direction, code in (
        ("fa-AF", "fa-AF", "rtl", "fa_AF"),
        ("ru-RU", "ru", "ltr", "ru"),
    ):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": WIDTH, "height": HEIGHT}
        )
        try:
            page = context.new_page()
            page.goto("/login")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("html").get_attribute("dir") == direction
            heading = page.locator("h1#login-title").inner_text()
            assert heading == translated(code, "Sign in to Homeward")
            script = "ARABIC" if direction == "rtl" else "CYRILLIC"
            assert any(unicodedata.name(c).startswith(script) for c in heading)
            page.screenshot(path=str(artifacts_dir / f"login-{lang}-{backend}.png"))
        finally:
            context.close()
