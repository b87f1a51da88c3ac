"""The person's feedback in real Chromium: the caseworker records the person's answers about a
completed referral from the case page, the provider records its own survey from the referral
page, and the supervisor's provider figures count them (too few: "<5"); axe-core clean."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from auth.models import Organisation, User
from casework.models import Case, Person
from core.clock import utcnow
from referrals.directory.models import DirectoryOrganization, Service, ServiceTypeTerm
from referrals.models import Referral
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def completed_referral(live_server, case_id: uuid.UUID, prefix: str) -> tuple[str, str, str]:
    """A referral of the case to the demo clinic, completed yesterday:
    (reference, referral id, the provider's directory name)."""
    app = live_server.app
    reference = f"{prefix}-{uuid.uuid4().hex[:6].upper()}"
    with app.app_context(), app.extensions["homeward_db"].session_scope() as db:
        case = db.get(Case, case_id)
        clinic = db.scalar(select(Organisation).where(Organisation.code == "CLINIC"))
        directory = db.scalar(
            select(DirectoryOrganization).where(DirectoryOrganization.organisation_id == clinic.id)
        )
        service = Service(organization=directory, name=f"Check-up {reference}")
        service.types = [ServiceTypeTerm(code="health")]
        db.add(service)
        db.flush()
        sent = utcnow() - timedelta(days=3)
        referral = Referral(
            reference=reference,
            case_id=case.id,
            person_id=case.person_id,
            service_id=service.id,
            directory_organization_id=directory.id,
            provider_organisation_id=clinic.id,
            referrer_id=case.assigned_to_id,
            referring_organisation_id=case.organisation_id,
            urgency="routine",
            state="completed",
            sent_at=sent,
            respond_by=sent + timedelta(hours=48),
            answered_at=sent + timedelta(hours=5),
            closed_at=sent + timedelta(days=1),
        )
        db.add(referral)
        db.flush()
        return reference, str(referral.id), clinic.name


@pytest.fixture
def completed(live_server) -> tuple[str, str, str, str]:
    """A completed referral of the demo caseworker's open case:
    (reference, referral id, case id, the provider's directory name)."""
    app = live_server.app
    with app.app_context(), app.extensions["homeward_db"].session_scope() as db:
        worker = db.scalar(
            select(User).where(User.email == live_server.account("caseworker")["email"])
        )
        case_id = db.scalars(
            select(Case.id)
            .join(Person, Person.id == Case.person_id)
            .where(
                Case.assigned_to_id == worker.id,
                Case.stage != "closed",
                Person.erased_at.is_(None),
            )
        ).first()
    reference, referral_id, clinic = completed_referral(live_server, case_id, "REF-FB")
    return reference, referral_id, str(case_id), clinic


def _answer(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def _fill_survey(page, comment: str) -> None:
    _answer(page, "Were you treated with respect?", "Yes")
    _answer(page, "Did the service meet your needs?", "Partly")
    _answer(page, "Was it easy to reach?", "Declined to answer")
    _answer(page, "Would you recommend it to someone in your situation?", "Yes")
    _answer(page, "Overall, how would you rate it?", "4 – good")
    page.get_by_label("Anything else the person wants to say (optional)").fill(comment)


def test_caseworker_and_provider_record_feedback_and_the_figures_count_it(
    browser, page, live_server, artifacts_dir, backend, completed
):
    reference, referral_id, case_id, clinic = completed
    sign_in(page, live_server.account("caseworker"))
    page.goto(f"/cases/{case_id}#feedback")
    page.get_by_role("link", name=re.compile(f"feedback on referral {reference}")).click()
    page.wait_for_url(f"**/referrals/{referral_id}/feedback")
    assert_accessible(page, f"feedback-case-team-{backend}", artifacts_dir)
    _fill_survey(page, "The nurse was kind to me")
    page.get_by_role("button", name="Record the feedback").click()
    page.wait_for_url(f"**/cases/{case_id}*")
    panel = page.locator("#feedback")
    expect(panel.get_by_text("The person's feedback is recorded.")).to_be_visible()
    expect(panel.get_by_text("The nurse was kind to me")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"feedback-case-{backend}.png"), full_page=True)

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        clinic_page = context.new_page()
        clinic_page.set_default_timeout(15000)
        sign_in(clinic_page, live_server.account("provider_staff"))
        clinic_page.goto(f"/referrals/{referral_id}")
        clinic_page.get_by_role("link", name="The person's feedback on your service").click()
        clinic_page.wait_for_url(f"**/referrals/{referral_id}/provider-feedback")
        expect(clinic_page.get_by_text("The nurse was kind to me")).to_have_count(0)
        assert_accessible(clinic_page, f"feedback-provider-{backend}", artifacts_dir)
        _fill_survey(clinic_page, "Came on time")
        clinic_page.get_by_role("button", name="Record the feedback").click()
        clinic_page.wait_for_url(f"**/referrals/{referral_id}")
        expect(clinic_page.get_by_text(re.compile(r"Feedback on .+ is recorded"))).to_be_visible()

        boss = context.new_page()
        boss.set_default_timeout(15000)
        boss.context.clear_cookies()
        sign_in(boss, live_server.account("supervisor"))
        boss.goto("/referrals/figures")
        table = boss.get_by_role(
            "region", name="The person's feedback per provider and service kind"
        )
        row = table.get_by_role("row").filter(has_text=clinic).filter(has_text="Health")
        expect(row).to_be_visible()
        expect(row.get_by_text("<5").first).to_be_visible()
        expect(boss.get_by_text("fewer than 5 answers is not shown")).to_be_visible()
        assert_accessible(boss, f"feedback-figures-{backend}", artifacts_dir)
        boss.screenshot(path=str(artifacts_dir / f"feedback-figures-{backend}.png"), full_page=True)
    finally:
        context.close()
