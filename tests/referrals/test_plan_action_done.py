"""A completed referral offers to mark the plan action it carried out done (issue 15, item
12), and the provider's Accept is apart from the decline reason box."""

from __future__ import annotations

import json

from sqlalchemy import select

from audit.models import AuditEvent
from casework.models import Case
from casework.planning.models import PlanAction
from core.clock import utcnow
from core.permissions import Role
from tests.casework.planning_helpers import add_action, record_assessment, start_plan
from tests.factories import csrf_token, make_account, post_form, sign_in
from tests.referrals.helpers import provider_post, send

QUESTION = "Mark the plan action '<bdi>Enrol in the tailoring grant programme</bdi>' done?"


def _linked_referral(client, db_session, case, service):
    assert record_assessment(client, case).status_code == 302
    assert start_plan(client, case).status_code == 302
    assert add_action(client, case).status_code == 302
    action = db_session.scalars(select(PlanAction)).one()
    referral = send(client, db_session, case, service, plan_action=str(action.id))
    return referral, action


def _complete(provider_client, referral):
    assert provider_post(provider_client, referral, "accept").status_code == 302
    done = {"outcome": "Enrolled", "outcome_date": utcnow().date().isoformat()}
    assert provider_post(provider_client, referral, "complete", done).status_code == 302


def _mark(client, referral, action, seen="planned"):
    page = f"/referrals/{referral.id}/sent"
    data = {"action": str(action.id), "seen": seen}
    return post_form(client, f"/referrals/{referral.id}/plan-action-done", data, token_from=page)


def _status(db_session, action) -> str:
    db_session.expire_all()
    return db_session.get(PlanAction, action.id).status


def test_completion_offers_to_mark_the_action_done_and_one_click_does_it(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    page = client.get(f"/referrals/{referral.id}/sent").get_data(as_text=True)
    assert QUESTION not in page  # not before the provider reports completion
    assert "mark its plan action done" not in client.get(case).get_data(as_text=True)

    _complete(provider_client, referral)
    page = client.get(f"/referrals/{referral.id}/sent").get_data(as_text=True)
    assert QUESTION in page
    assert _status(db_session, action) == "planned"  # an offer: nothing changed by itself
    assert "Completed: mark its plan action done" in client.get(case).get_data(as_text=True)

    response = _mark(client, referral, action)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/referrals/{referral.id}/sent")
    assert _status(db_session, action) == "done"
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "plan.action_status_changed")
    ).one()
    assert json.loads(event.details) == {
        "action_id": str(action.id),
        "from": "planned",
        "to": "done",
    }
    page = client.get(f"/referrals/{referral.id}/sent").get_data(as_text=True)
    assert QUESTION not in page  # done: nothing left to offer
    assert "mark its plan action done" not in client.get(case).get_data(as_text=True)


def test_a_status_changed_since_the_page_is_not_overwritten(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    response = _mark(client, referral, action, seen="in_progress")  # not what is stored
    assert response.status_code == 302
    assert _status(db_session, action) == "planned"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed this action" in page


def test_no_offer_and_no_change_before_completion(
    app, db_session, client, case, service, provider_client
):
    referral, action = _linked_referral(client, db_session, case, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    response = _mark(client, referral, action)
    assert response.status_code == 302
    assert _status(db_session, action) == "planned"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is no open plan action to mark done" in page


def test_only_the_case_team_may_mark_it(
    app, db_session, client, case, service, provider_client, agency
):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    token_page = "/referrals/inbox"
    data = {"action": str(action.id), "seen": "planned"}
    url = f"/referrals/{referral.id}/plan-action-done"
    assert post_form(provider_client, url, data, token_from=token_page).status_code == 403

    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    other = app.test_client()
    sign_in(other, colleague, db_session)
    response = post_form(other, url, data, token_from="/cases/")
    assert response.status_code in (403, 404)  # not their case
    assert _status(db_session, action) == "planned"
    denied = db_session.scalars(
        select(AuditEvent).where(AuditEvent.actor_user_id == colleague.user.id)
    ).all()
    assert any(e.outcome != "success" for e in denied)


def test_accept_and_decline_are_separate_forms_in_separate_sections(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    page = provider_client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    accept = page[page.index('id="accept-title"') :]
    accept = accept[: accept.index("</section>")]
    decline = page[page.index('id="decline-title"') :]
    decline = decline[: decline.index("</section>")]
    assert "/accept" in accept and ">Accept</button>" in accept
    assert 'name="reason"' not in accept and "/decline" not in accept
    assert "/decline" in decline and 'name="reason"' in decline
    assert ">Accept</button>" not in decline


def test_no_offer_on_a_closed_case(app, db_session, client, case, service, provider_client):
    referral, action = _linked_referral(client, db_session, case, service)
    _complete(provider_client, referral)
    page = f"/referrals/{referral.id}/sent"
    data = {"action": str(action.id), "seen": "planned"}
    token = csrf_token(client, page)
    db_session.get(Case, referral.case_id).stage = "closed"
    db_session.commit()
    assert QUESTION not in client.get(page).get_data(as_text=True)
    url = f"/referrals/{referral.id}/plan-action-done"
    assert post_form(client, url, data, token=token).status_code == 409
    assert _status(db_session, action) == "planned"
