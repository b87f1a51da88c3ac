"""Referral follow-through in real Chromium: the caseworker's "My referrals" shows an overdue
referral, the supervisor sees its escalation and the provider figures; axe-core clean."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from auth.models import Organisation, User
from casework.models import Case
from core.clock import utcnow
from referrals.directory.models import DirectoryOrganization, Service
from referrals.models import Referral
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def overdue_referral(live_server) -> tuple[str, str]:
    """A referral the demo caseworker sent to the demo clinic ten days ago, never answered."""
    app = live_server.app
    reference = f"REF-E2E-{uuid.uuid4().hex[:6].upper()}"
    with app.app_context(), app.extensions["homeward_db"].session_scope() as db:
        caseworker = db.scalar(
            select(User).where(User.email == live_server.account("caseworker")["email"])
        )
        case = db.scalars(select(Case).where(Case.assigned_to_id == caseworker.id)).first()
        clinic = db.scalar(select(Organisation).where(Organisation.code == "CLINIC"))
        directory = db.scalar(
            select(DirectoryOrganization).where(DirectoryOrganization.organisation_id == clinic.id)
        ) or DirectoryOrganization(
            name="Hope Psychosocial Centre", country="XK", organisation_id=clinic.id
        )
        service = Service(organization=directory, name="Trauma counselling")
        db.add_all([directory, service])
        db.flush()
        sent = utcnow() - timedelta(days=10)
        db.add(
            Referral(
                reference=reference,
                case_id=case.id,
                person_id=case.person_id,
                service_id=service.id,
                directory_organization_id=directory.id,
                provider_organisation_id=clinic.id,
                referrer_id=caseworker.id,
                referring_organisation_id=case.organisation_id,
                urgency="urgent",
                state="sent",
                sent_at=sent,
                respond_by=sent + timedelta(hours=48),
            )
        )
        provider_name = directory.name
    return reference, provider_name


def test_overdue_referral_for_the_caseworker_and_escalated_to_the_supervisor(
    browser, page, live_server, artifacts_dir, backend, overdue_referral
):
    sign_in(page, live_server.account("caseworker"))
    page.wait_for_url("**/today/")  # case teams land on Today
    page.get_by_role("link", name=re.compile("My referrals")).click()
    page.wait_for_url("**/referrals/mine")
    overdue_referral, provider_name = overdue_referral
    row = page.get_by_role("row").filter(has_text=overdue_referral)
    expect(row.get_by_text("Answer overdue")).to_be_visible()
    expect(row.get_by_text(provider_name)).to_be_visible()
    assert_accessible(page, f"referrals-mine-{backend}", artifacts_dir)
    page.screenshot(path=str(artifacts_dir / f"referrals-mine-{backend}.png"), full_page=True)
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text=overdue_referral)).to_be_visible()

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        boss = context.new_page()
        boss.set_default_timeout(15000)
        sign_in(boss, live_server.account("supervisor"))
        boss.goto("/tasks/")
        task = boss.get_by_role("row").filter(has_text=overdue_referral)
        expect(task.get_by_text("Overdue referral escalated to you")).to_be_visible()
        task.get_by_role("link", name=overdue_referral).click()
        boss.wait_for_url("**/referrals/overdue")
        row = boss.get_by_role("row").filter(has_text=overdue_referral)
        expect(row.get_by_text("Escalated")).to_be_visible()
        assert_accessible(boss, f"referrals-overdue-{backend}", artifacts_dir)
        boss.screenshot(
            path=str(artifacts_dir / f"referrals-overdue-{backend}.png"), full_page=True
        )
        boss.get_by_role("link", name="Referral figures").click()
        boss.wait_for_url("**/referrals/figures")
        per_provider = boss.get_by_role("region", name="Referral figures per provider")
        figures = per_provider.get_by_role("row").filter(has_text="Hope Psychosocial Centre (demo)")
        expect(figures).to_be_visible()
        assert_accessible(boss, f"referrals-figures-{backend}", artifacts_dir)
        boss.screenshot(
            path=str(artifacts_dir / f"referrals-figures-{backend}.png"), full_page=True
        )
    finally:
        context.close()
