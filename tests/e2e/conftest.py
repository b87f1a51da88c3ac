"""Browser tests: a live Homeward on a fresh database, driven by Playwright in real Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from werkzeug.serving import make_server

from auth.models import User
from core import migrate
from core.app import create_app
from tests import databases
from tests.conftest import make_settings

#: A case page's address, for ``page.wait_for_url``: a glob such as ``"**/cases/*"`` also
#: matches the case list (``/cases/``), so a wait right after a click on the list would return
#: before the case page has loaded.
CASE_PAGE = re.compile(r"/cases/[0-9a-f-]{36}(?:[?#].*)?$")

CHROMIUM = os.environ.get("HOMEWARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class LiveServer:
    url: str
    app: Flask
    accounts: dict[str, dict[str, Any]]

    def account(self, role: str) -> dict[str, Any]:
        return self.accounts[role]


@pytest.fixture(scope="session")
def live_server(
    backend: str, key_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp(f"live-{backend}")
    url = databases.fresh_database(backend, workdir, "e2e")
    migrate.upgrade(url)
    app = create_app(make_settings(url, key_file, LOGIN_RATE_LIMIT="1000 per minute"))
    creds = workdir / "credentials.json"
    result = app.test_cli_runner().invoke(args=["demo", "--credentials-json", str(creds)])
    assert result.exit_code == 0, result.output
    accounts: dict[str, dict[str, Any]] = {}
    for entry in json.loads(creds.read_text()):
        accounts.setdefault(entry["role"], entry)
        accounts.setdefault(entry["email"], entry)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, accounts)
    finally:
        server.shutdown()
        app.extensions["homeward_db"].engine.dispose()
        if backend == "postgresql":
            databases.drop_postgres(url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if databases.in_ci():
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        # A check waits for the page as long as an action does: after a click the next page
        # may not have loaded yet, and under two workers 5 seconds was sometimes too short.
        expect.set_options(timeout=15000)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _totp_codes_usable_again(request: pytest.FixtureRequest) -> None:
    """Let each browser test use the current TOTP code of the shared demo accounts.

    Several tests sign the same account in; two sign-ins within one 30-second step would
    otherwise be refused as a replayed code, depending on how fast the tests before ran.
    """
    if "live_server" not in request.fixturenames:
        return
    server: LiveServer = request.getfixturevalue("live_server")
    with server.app.extensions["homeward_db"].session_scope() as session:
        session.execute(update(User).values(totp_last_step=None))


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def assert_accessible(page: Any, name: str, artifacts: Path) -> None:
    """axe-core on the current page: no serious or critical violations.

    A test that clicks a link and checks the page it opens may call this while the browser is
    still replacing the document (a click returns once the navigation has started, not when it
    has finished): axe then finds no document and throws. So the check waits for the page to
    have loaded and, if the document was replaced under it anyway, runs again on the new one.
    Tests still wait for the page they mean (its address or heading) before checking it.
    """
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    page.wait_for_load_state("load")
    try:
        results = Axe().run(page)
    except PlaywrightError as error:
        if not _document_replaced(error):
            raise
        page.wait_for_load_state("load")
        results = Axe().run(page)
    violations = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    (artifacts / f"axe-{name}.json").write_text(
        json.dumps(results.response["violations"], indent=2)
    )
    assert violations == [], "\n".join(f"{v['id']}: {v['help']}" for v in violations)


def follow(link: Any) -> None:
    """Click a link and wait until the page it points to has loaded (before checking that page)."""
    from urllib.parse import urljoin

    href = link.get_attribute("href")
    assert href, "the element followed is a link with an address"
    link.click()
    link.page.wait_for_url(urljoin(link.page.url, href))


def _document_replaced(error: Exception) -> bool:
    """Whether axe failed because a navigation replaced the document while it ran."""
    text = str(error)
    return "Execution context was destroyed" in text or "reading 'documentElement'" in text


def sign_in(page: Any, account: dict[str, Any]) -> None:
    """Password, then the current TOTP code, through the real pages."""
    import pyotp

    page.goto("/login")
    page.get_by_label("E-mail address").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/login/second-factor")
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(account["totp_secret"]).now()
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
