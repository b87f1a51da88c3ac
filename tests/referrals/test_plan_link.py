"""A referral can carry out an action of the case's reintegration plan; the plan shows it."""

from __future__ import annotations

import json

from sqlalchemy import select

from audit.models import AuditEvent
from casework.planning.models import PlanAction
from tests.casework.planning_helpers import add_action, record_assessment, start_plan
from tests.factories import post_form
from tests.referrals.helpers import bases_of, new_url, referral_form, send, send_url


def _plan_with_action(client, db_session, case_url: str) -> PlanAction:
    assert record_assessment(client, case_url).status_code == 302
    assert start_plan(client, case_url).status_code == 302
    assert add_action(client, case_url).status_code == 302
    return db_session.scalars(select(PlanAction)).one()


def test_a_referral_sent_for_a_plan_action_is_linked_on_the_plan(
    app, db_session, client, case, service
):
    action = _plan_with_action(client, db_session, case)
    plan_page = client.get(f"{case}/plan/").get_data(as_text=True)
    assert f"action={action.id}" in plan_page  # "Refer for this action"

    form = client.get(new_url(case, service) + f"?action={action.id}").get_data(as_text=True)
    assert f'<option selected value="{action.id}"' in form or (
        f'value="{action.id}" selected' in form
    )

    referral = send(client, db_session, case, service, plan_action=str(action.id))
    db_session.expire_all()
    assert db_session.get(PlanAction, action.id).referral_id == referral.id
    sent = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.sent")).all()[
        -1
    ]
    assert json.loads(sent.details)["plan_action_id"] == str(action.id)

    plan_page = client.get(f"{case}/plan/").get_data(as_text=True)
    assert "Carried out by referral" in plan_page
    assert referral.reference in plan_page
    assert f"/referrals/{referral.id}/sent" in plan_page


def test_an_action_of_another_case_cannot_be_linked(app, db_session, client, case, service):
    from tests.casework.helpers import FARIDA, case_url, register

    other_case = case_url(register(client, FARIDA, confirm_new=True))
    foreign = _plan_with_action(client, db_session, other_case)
    basis = bases_of(db_session, case)[-1].id
    response = post_form(
        client, send_url(case, service), referral_form(basis, plan_action=str(foreign.id))
    )
    assert response.status_code == 400
    assert "Choose an action of this case" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(PlanAction, foreign.id).referral_id is None


def test_a_malformed_action_id_is_ignored_not_a_500(app, db_session, client, case, service):
    basis = bases_of(db_session, case)[-1].id
    response = post_form(
        client, send_url(case, service), referral_form(basis, plan_action="not-a-uuid")
    )
    assert response.status_code == 302
