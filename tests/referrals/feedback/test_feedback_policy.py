"""Who may see and record the person's feedback: attack tests, and the SQL twin of the rule.

Another organisation's staff, a provider the referral is not addressed to, an auditor, a
request without its CSRF token, a second submit and an erased person are all refused (404 or
403 audited, 400, 409 or 410), and nothing is recorded.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.erasure import erase_person
from casework.models import Case
from core.permissions import Role
from referrals.feedback import policy
from referrals.feedback.models import PersonFeedback
from referrals.models import Referral
from tests.factories import make_account, post_form, sign_in
from tests.fixtures.audit import events_after, head_seq
from tests.referrals.feedback.helpers import (
    COMMENT,
    about_url,
    answers,
    close_case,
    closure_url,
    completed_referral,
    provider_url,
    record_about,
    record_as_provider,
    record_at_closure,
)
from tests.referrals.helpers import case_id_of, send


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(PersonFeedback))


def _signed_in(app, db, role, organisation=None):
    other = app.test_client()
    sign_in(other, make_account(app, db, role, organisation=organisation), db)
    return other


@pytest.fixture
def done(db_session, client, case, service, provider_client) -> Referral:
    return completed_referral(client, provider_client, db_session, case, service)


def test_another_organisations_caseworker_gets_404_audited(app, db_session, done):
    outsider = _signed_in(app, db_session, Role.SUPERVISOR)
    before = head_seq(db_session)
    assert outsider.get(about_url(done)).status_code == 404
    assert record_about(outsider, done).status_code == 404
    denied = [e for e in events_after(db_session, before) if e.action == "access.denied"]
    assert len(denied) == 2 and all(e.object_id == str(done.id) for e in denied)
    assert _count(db_session) == 0


def test_a_colleague_without_the_case_gets_404(app, db_session, done, agency):
    colleague = _signed_in(app, db_session, Role.CASEWORKER, agency)
    assert colleague.get(about_url(done)).status_code == 404
    assert record_about(colleague, done).status_code == 404


def test_the_supervisor_of_the_case_may_record(app, db_session, done, agency):
    boss = _signed_in(app, db_session, Role.SUPERVISOR, agency)
    assert record_about(boss, done, respondent="person_via_caseworker").status_code == 303


def test_a_provider_not_addressed_gets_404_audited(app, db_session, done):
    other = _signed_in(app, db_session, Role.PROVIDER_STAFF)
    before = head_seq(db_session)
    assert other.get(provider_url(done)).status_code == 404
    assert record_as_provider(other, done).status_code == 404
    assert [e.action for e in events_after(db_session, before)].count("access.denied") == 2
    assert _count(db_session) == 0


def test_the_provider_cannot_use_the_case_teams_page_nor_the_closure_page(
    db_session, case, done, provider_client
):
    assert provider_client.get(about_url(done)).status_code == 403
    assert record_about(provider_client, done).status_code == 403
    assert provider_client.get(closure_url(case)).status_code == 403


def test_the_case_team_cannot_record_as_the_provider(db_session, client, done):
    assert client.get(provider_url(done)).status_code == 403
    assert record_about(client, done, respondent="provider").status_code == 403
    assert _count(db_session) == 0


def test_the_provider_records_only_once_it_accepted(
    db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    page = provider_client.get(provider_url(referral))
    assert page.status_code == 200 and "once you have accepted" in page.get_data(as_text=True)
    assert record_as_provider(provider_client, referral).status_code == 409
    assert _count(db_session) == 0


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_auditors_and_administrators_are_refused(app, db_session, case, done, role):
    other = _signed_in(app, db_session, role)
    for url in (about_url(done), provider_url(done), closure_url(case)):
        assert other.get(url).status_code == 403
        assert post_form(other, url, answers(), token_from="/account").status_code == 403
    assert _count(db_session) == 0


def test_a_post_without_its_csrf_token_records_nothing(db_session, client, case, done):
    assert client.post(about_url(done), data=answers()).status_code == 400
    close_case(db_session, case)
    assert client.post(closure_url(case), data=answers()).status_code == 400
    assert _count(db_session) == 0


def test_double_submit_at_closure_records_one_survey(db_session, client, case):
    close_case(db_session, case)
    assert record_at_closure(client, case).status_code == 303
    assert record_at_closure(client, case, respondent="person_via_caseworker").status_code == 409
    assert _count(db_session) == 1


def test_an_erased_persons_feedback_cannot_be_recorded_nor_its_comment_read(
    app, db_session, client, case, done, provider_client, monkeypatch
):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert record_as_provider(provider_client, done).status_code == 303
    with app.app_context():
        erase_person(
            db_session,
            None,
            db_session.get(Case, case_id_of(case)).person,
            "the person asked for it",
        )
        db_session.commit()
    assert client.get(about_url(done)).status_code == 410
    assert record_about(client, done).status_code == 410
    assert record_as_provider(provider_client, done).status_code == 410
    page = provider_client.get(provider_url(done))
    assert page.status_code == 200 and COMMENT not in page.get_data(as_text=True)
    close_case(db_session, case)
    assert record_at_closure(client, case).status_code == 410
    assert _count(db_session) == 1


def test_the_sql_twin_matches_the_rule(app, db_session, client, case, done, provider_client):
    assert record_about(client, done).status_code == 303
    assert record_as_provider(provider_client, done).status_code == 303
    close_case(db_session, case)
    assert record_at_closure(client, case).status_code == 303
    case_row = db_session.get(Case, case_id_of(case))
    surveys = db_session.scalars(select(PersonFeedback)).all()
    provider_org = db_session.get(Referral, done.id).provider_organisation_id
    actors = [
        make_account(app, db_session, role, organisation=org).actor
        for role, org in [
            (Role.CASEWORKER, None),
            (Role.SUPERVISOR, None),
            (Role.PROVIDER_STAFF, None),
            (Role.AUDITOR, None),
            (Role.ADMINISTRATOR, None),
            (Role.SUPERVISOR, make_organisation_of(db_session, case_row.organisation_id)),
            (Role.PROVIDER_STAFF, make_organisation_of(db_session, provider_org)),
        ]
    ]
    for actor in actors:
        by_sql = set(
            db_session.scalars(select(PersonFeedback.id).where(policy.visible_feedback(actor)))
        )
        by_rule = {
            f.id
            for f in surveys
            if policy.can_view_feedback(
                actor,
                f,
                case_row,
                db_session.get(Referral, f.referral_id) if f.referral_id else None,
            )
        }
        assert by_sql == by_rule, actor.role
    assert len(by_rule) == 1  # the provider's own survey only
    supervisor = actors[5]
    assert {f.id for f in surveys} == set(
        db_session.scalars(select(PersonFeedback.id).where(policy.visible_feedback(supervisor)))
    )


def make_organisation_of(db, organisation_id):
    from auth.models import Organisation

    return db.get(Organisation, organisation_id)


def test_denials_name_no_personal_data(app, db_session, done):
    outsider = _signed_in(app, db_session, Role.CASEWORKER)
    before = head_seq(db_session)
    outsider.get(about_url(done))
    for event in events_after(db_session, before):
        assert COMMENT not in (event.details or "")
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) > 0
