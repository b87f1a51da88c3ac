"""The demo directory: a linked clinic, a listed-only NGO and a linked provider abroad."""

from __future__ import annotations

from sqlalchemy import select

from auth.models import Organisation, User
from referrals.directory.models import DirectoryOrganization
from referrals.directory.services import ServiceFilters, search_services


def test_demo_directory(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "provider2@demo.homeward.test" in result.output
    db_session.expire_all()
    orgs = {o.name: o for o in db_session.scalars(select(DirectoryOrganization))}
    clinic = db_session.scalar(select(Organisation).where(Organisation.code == "CLINIC"))
    haven = db_session.scalar(select(Organisation).where(Organisation.code == "HAVEN"))
    assert orgs["Hope Psychosocial Centre (demo)"].organisation_id == clinic.id
    assert orgs["Bridges Vocational Network (demo)"].organisation_id is None
    assert orgs["Haven Reintegration Services (demo)"].organisation_id == haven.id
    assert haven.country == "DE" and haven.is_provider
    provider2 = db_session.scalar(select(User).where(User.email == "provider2@demo.homeward.test"))
    assert provider2.organisation_id == haven.id and provider2.role == "provider_staff"
    clinic_services = orgs["Hope Psychosocial Centre (demo)"].services
    assert len(clinic_services) >= 3
    assert len({code for s in clinic_services for code in s.type_codes}) >= 3
    assert len({lang for s in clinic_services for lang in s.language_codes}) >= 3
    referable = search_services(db_session, ServiceFilters(only_referable=True))
    assert {s.organization.name for s in referable} == {
        "Hope Psychosocial Centre (demo)",
        "Haven Reintegration Services (demo)",
    }
    assert search_services(db_session, ServiceFilters(country="DE"))


def test_demo_referrals_send_no_mail_and_one_is_overdue(app, db_session, smtp_server, send_outbox):
    from casework.planning.models import PlanAction
    from core.clock import utcnow
    from core.outbox.models import OutboxMessage
    from referrals.models import Referral

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    send_outbox()
    assert smtp_server.messages == []  # made-up referrals: nobody is e-mailed
    assert list(db_session.scalars(select(OutboxMessage))) == []
    db_session.expire_all()
    referrals = list(db_session.scalars(select(Referral)))
    assert len(referrals) == 5
    assert {r.state for r in referrals} == {"accepted", "declined", "sent", "completed"}
    # The declined one says why, with a code from the list of decline reasons.
    (declined,) = [r for r in referrals if r.state == "declined"]
    assert [e.reason_code for e in declined.events if e.to_state == "declined"] == [
        "not_offered_here"
    ]
    assert any(r.state == "sent" and r.respond_by < utcnow() for r in referrals)
    # The completed one carried out a plan action still open: the caseworker is offered it.
    (completed,) = [r for r in referrals if r.state == "completed"]
    action = db_session.scalars(select(PlanAction).where(PlanAction.referral_id == completed.id))
    assert action.one().status == "planned"
