"""An auditor signs in, finds everything done to one case, exports it; the pages pass axe-core."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from audit.services import record
from core.db import current_db
from core.permissions import Role
from core.security import Actor
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

CASE = uuid.UUID("c0ffee00-0000-4000-8000-0000000000aa")
OTHER_CASE = uuid.UUID("c0ffee00-0000-4000-8000-0000000000bb")


def _seed(app) -> Actor:
    worker = Actor(uuid.uuid4(), Role.CASEWORKER, uuid.uuid4(), None)
    with app.app_context(), current_db().session_scope() as session:
        record(
            session, "case.viewed", actor=worker, object_type="case", object_id=CASE, case_id=CASE
        )
        record(
            session,
            "case.updated",
            actor=worker,
            object_type="case",
            object_id=CASE,
            case_id=CASE,
            details={"fields": ["stage"]},
        )
        record(
            session,
            "case.viewed",
            actor=worker,
            object_type="case",
            object_id=OTHER_CASE,
            case_id=OTHER_CASE,
        )
        record(
            session,
            "case.viewed",
            actor=worker,
            object_type="case",
            object_id=CASE,
            case_id=CASE,
            outcome="denied",
        )
    return worker


def _table_rows(page) -> int:
    return page.locator("table.data tbody tr").count()


def test_auditor_filters_by_case_and_object_and_exports(page, live_server, artifacts_dir, backend):
    worker = _seed(live_server.app)
    account = live_server.account("auditor")
    page.goto("/login")
    page.get_by_label("E-mail address").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/login/second-factor")
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(account["totp_secret"]).now()
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/audit/alerts")  # auditors land on the alerts
    page.goto("/audit/")
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    assert_accessible(page, f"audit-log-{backend}", artifacts_dir)

    page.get_by_label("Case reference or id").fill(str(CASE))
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url(f"**case={CASE}**")
    assert _table_rows(page) == 3
    expect(page.locator("table.data").get_by_text(str(worker.user_id))).to_have_count(3)
    page.screenshot(path=str(artifacts_dir / f"audit-log-case-{backend}.png"), full_page=True)
    assert_accessible(page, f"audit-log-case-{backend}", artifacts_dir)

    with page.expect_download() as info:
        page.get_by_role("button", name="Export these events as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert [r["action"] for r in rows] == ["case.viewed", "case.updated", "case.viewed"]
    assert {r["case_id"] for r in rows} == {str(CASE)}

    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Object type").fill("case")
    page.get_by_label("Object id").fill(str(OTHER_CASE))
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**object_type=case**")
    assert _table_rows(page) == 1

    page.locator("table.data").get_by_role("link", name=str(OTHER_CASE)).click()
    page.wait_for_url(f"**/audit/cases/{OTHER_CASE}")
    expect(page.get_by_role("heading", name="Who touched this case")).to_be_visible()
    assert_accessible(page, f"audit-case-{backend}", artifacts_dir)

    page.locator("table.data").get_by_role("link", name=str(worker.user_id)).first.click()
    page.wait_for_url(f"**/audit/users/{worker.user_id}")
    assert_accessible(page, f"audit-user-{backend}", artifacts_dir)

    workspace = page.get_by_role("navigation", name="Audit workspace")
    workspace.get_by_role("link", name="Alerts").click()
    page.wait_for_url("**/audit/alerts")
    page.get_by_label("Look back").select_option("30")
    page.get_by_role("button", name="Show alerts").click()
    page.wait_for_url("**/audit/alerts?days=30")
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    assert_accessible(page, f"audit-alerts-{backend}", artifacts_dir)

    workspace.get_by_role("link", name="Chain status").click()
    page.wait_for_url("**/audit/chain")
    expect(page.get_by_role("heading", name="Last signed checkpoint")).to_be_visible()
    assert_accessible(page, f"audit-chain-{backend}", artifacts_dir)
