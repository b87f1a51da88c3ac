"""Second reader: marking a plan action done from a referral refuses a forged request (no CSRF
token, another action's id, another organisation, an auditor, an erased person) and changes
nothing then."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from audit.models import AuditEvent
from casework.erasure import erase_person
from casework.models import Case
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from tests.factories import csrf_token, make_account, post_form, sign_in
from tests.referrals.test_plan_action_done import _complete, _linked_referral, _mark, _status


def _changes(db_session) -> int:
    return db_session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "plan.action_status_changed")
    )


def test_no_csrf_token_no_change(app, db_session, client, case, service, provider_client):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    data = {"action": str(action.id), "seen": "planned"}
    response = client.post(f"/referrals/{referral.id}/plan-action-done", data=data)
    assert response.status_code == 400
    assert _status(db_session, action) == "planned" and _changes(db_session) == 0


def test_another_actions_id_changes_nothing(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    page = f"/referrals/{referral.id}/sent"
    data = {"action": str(uuid.uuid4()), "seen": "planned"}
    response = post_form(client, f"/referrals/{referral.id}/plan-action-done", data, page)
    assert response.status_code == 302
    assert _status(db_session, action) == "planned" and _changes(db_session) == 0


def test_other_organisations_and_auditors_are_refused(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    data = {"action": str(action.id), "seen": "planned"}
    url = f"/referrals/{referral.id}/plan-action-done"
    for role, token_page in ((Role.SUPERVISOR, "/cases/"), (Role.AUDITOR, "/account")):
        other = app.test_client()
        sign_in(other, make_account(app, db_session, role), db_session)
        assert post_form(other, url, data, token_from=token_page).status_code in (403, 404)
    assert _status(db_session, action) == "planned" and _changes(db_session) == 0


def test_an_erased_persons_action_is_not_marked(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    token_page = f"/referrals/{referral.id}/sent"
    token = csrf_token(client, token_page)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    with app.app_context():
        erase_person(
            db_session,
            None,
            db_session.get(Case, referral.case_id).person,
            "erasure request confirmed",
        )
    db_session.commit()
    data = {"action": str(action.id), "seen": "planned"}
    url = f"/referrals/{referral.id}/plan-action-done"
    assert post_form(client, url, data, token=token).status_code in (403, 404, 410)
    assert _changes(db_session) == 0


def test_a_repeated_click_changes_nothing_more(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    assert _mark(client, referral, action).status_code == 302
    assert _mark(client, referral, action).status_code == 302  # Back, then the same form
    assert _status(db_session, action) == "done" and _changes(db_session) == 1
