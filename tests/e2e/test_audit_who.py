"""An auditor opens "who touched this case" and reads names, not ids; the log fits the window."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from audit.services import record
from auth.models import User
from casework.models import Case
from core.db import current_db
from core.permissions import Role
from core.security import Actor
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e

OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
TABLE_WIDTH = """() => { const t = document.querySelector('table.audit-events');
  const widths = [...t.querySelectorAll('thead th')].map(th => Math.round(th.offsetWidth));
  const wide = [...t.querySelectorAll('td *')].filter(e => e.scrollWidth > 300)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth);
  return [t.scrollWidth, t.parentElement.clientWidth, widths, wide]; }"""
#: The elements that stick out of the window, for the failure message.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-scroll'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.scrollWidth))"""


def _touch_a_case(app, email: str) -> tuple[uuid.UUID, str, str, uuid.UUID]:
    """A demo caseworker views and updates a demo case; returns its id, the worker's name,
    organisation name and id."""
    with app.app_context(), current_db().session_scope() as session:
        user = session.scalar(select(User).where(User.email == email))
        case_id = session.scalar(select(Case.id).order_by(Case.case_number).limit(1))
        actor = Actor(user.id, Role(user.role), user.organisation_id, None)
        record(
            session,
            "case.viewed",
            actor=actor,
            object_type="case",
            object_id=case_id,
            case_id=case_id,
        )
        record(
            session,
            "case.updated",
            actor=actor,
            object_type="case",
            object_id=case_id,
            case_id=case_id,
            details={"fields": ["stage", "risk_level", "assigned_to"], "scope": {"days": 3}},
        )
        return case_id, user.display_name, user.organisation.name, user.id


def _fits(page) -> None:
    scroll, client = page.evaluate(OVERFLOW)
    assert scroll <= client, f"sideways: {scroll} > {client}: {page.evaluate(WIDEST)}"


def test_the_auditor_sees_who_touched_a_case_by_name(page, live_server, artifacts_dir, backend):
    case_id, name, organisation, user_id = _touch_a_case(
        live_server.app, live_server.account("caseworker")["email"]
    )
    sign_in(page, live_server.account("auditor"))
    for width, height in ((375, 740), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/audit/cases/{case_id}")
        who = page.locator("section", has=page.get_by_role("heading", name="Who touched this case"))
        person = who.get_by_role("link", name=name).first
        expect(person).to_be_visible()
        assert person.get_attribute("title") == str(user_id)
        expect(who.get_by_role("link", name=organisation).first).to_be_visible()
        expect(who.get_by_text("Caseworker").first).to_be_visible()
        _fits(page)
        page.screenshot(
            path=str(artifacts_dir / f"audit-who-{width}-{backend}.png"), full_page=True
        )
        assert_accessible(page, f"audit-who-{width}-{backend}", artifacts_dir)

        page.goto(f"/audit/?case={case_id}")
        events = page.locator("table.audit-events")
        expect(events.get_by_role("link", name=name).first).to_be_visible()
        expect(events.locator("dl.audit-details dt", has_text="Fields").first).to_be_visible()
        _fits(page)
        if width >= 1366:  # wide enough for the whole log table without its own scrollbar
            inner, box, columns, wide = page.evaluate(TABLE_WIDTH)
            assert inner <= box, f"the log scrolls in its box: {inner} > {box} {columns} {wide}"
        page.screenshot(
            path=str(artifacts_dir / f"audit-log-{width}-{backend}.png"), full_page=True
        )
        assert_accessible(page, f"audit-log-names-{width}-{backend}", artifacts_dir)

    # The full id shows under the name when the link has keyboard focus.
    hidden_id = page.locator("table.audit-events .audit-who .audit-id").first
    assert not hidden_id.is_visible() or hidden_id.bounding_box()["width"] <= 1
    page.locator("table.audit-events a.audit-who").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert hidden_id.bounding_box()["width"] > 50


def test_every_audit_page_fits_a_phone_and_a_laptop(page, live_server, artifacts_dir, backend):
    _case_id, _name, _organisation, user_id = _touch_a_case(
        live_server.app, live_server.account("caseworker")["email"]
    )
    sign_in(page, live_server.account("auditor"))
    paths = {
        "user": f"/audit/users/{user_id}",
        "alerts": "/audit/alerts?days=30",
        "chain": "/audit/chain",
        "disclosures": "/audit/?action=referral.disclosed",
    }
    for width, height in ((375, 740), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in paths.items():
            page.goto(path)
            _fits(page)
            assert_accessible(page, f"audit-{name}-{width}-{backend}", artifacts_dir)
    page.goto(f"/audit/users/{user_id}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Activity of")
