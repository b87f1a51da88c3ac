"""An administrator in real Chromium on the outbox page: finds it in the navigation, sees the
dead letters, sends one again and discards another; axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.outbox import services
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def _dead_letters(live_server, count: int) -> list[str]:
    ids = []
    with live_server.app.extensions["homeward_db"].session_scope() as db:
        for n in range(count):
            message = services.enqueue(
                db, "referrals.notification", {"n": n}, address=f"desk{n}@agency.example"
            )
            assert message is not None
            message.state = "dead"
            message.attempts = 8
            message.last_error = "ConnectionRefusedError"
            ids.append(str(message.id))
    return ids


def test_administrator_retries_and_discards_dead_letters(page, live_server, artifacts_dir, backend):
    retried, discarded = _dead_letters(live_server, 2)
    sign_in(page, live_server.account("administrator"))
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Outgoing e-mail").click()
    page.wait_for_url("**/admin/outbox")
    expect(page.get_by_role("heading", name="Dead letters")).to_be_visible()
    expect(page.get_by_text("ConnectionRefusedError").first).to_be_visible()
    expect(page.get_by_text("desk0@agency.example")).to_have_count(0)
    assert_accessible(page, f"admin-outbox-{backend}", artifacts_dir)

    page.locator(f'form[action$="/{retried}/retry"] button').click()
    page.wait_for_load_state()
    expect(page.get_by_text("The message will be sent again.")).to_be_visible()
    expect(page.locator(f'form[action$="/{retried}/retry"]')).to_have_count(0)

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action$="/{discarded}/discard"] button').click()
    page.wait_for_load_state()
    expect(page.get_by_text("The message was discarded; it will not be sent.")).to_be_visible()
    expect(page.locator(f'form[action$="/{discarded}/discard"]')).to_have_count(0)
    assert_accessible(page, f"admin-outbox-after-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"admin-outbox-{backend}.png"), full_page=True)
