"""Transfers: request -> accept/decline by the receiving supervisor; the sender loses access."""

from __future__ import annotations

import re

from sqlalchemy import select

from casework.models import Case, CaseTransfer
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_account, make_organisation, post_form, sign_in


def _offer(app, db_session, caseworker, supervisor):
    receiving_org = make_organisation(app, db_session, agency=True)
    receiver = make_account(app, db_session, Role.SUPERVISOR, organisation=receiving_org)
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = case_url(register(writer, FARIDA))
    sender = app.test_client()
    sign_in(sender, supervisor, db_session)
    response = post_form(
        sender, f"{url}/transfer", {"organisation": str(receiving_org.id)}, token_from=url
    )
    assert response.status_code == 302
    return url, writer, sender, receiver


def test_accepted_transfer_moves_the_case(app, db_session, client, caseworker, supervisor):
    url, writer, sender, receiver = _offer(app, db_session, caseworker, supervisor)
    sign_in(client, receiver, db_session)
    caseload = client.get("/cases/").get_data(as_text=True)
    assert "Cases offered to your organisation" in caseload
    assert "Farida" not in caseload and "فریده" not in caseload  # nothing before acceptance
    assert client.get(url).status_code == 403
    action = re.search(r'action="(/cases/transfers/[^"]+/accept)"', caseload).group(1)
    response = post_form(client, action, {}, token_from="/cases/")
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Farida Nazari" in client.get(url).get_data(as_text=True)
    assert writer.get(url).status_code == 403
    assert sender.get(url).status_code == 403
    case = db_session.scalar(select(Case))
    db_session.refresh(case)
    assert case.organisation_id == receiver.user.organisation_id
    assert case.assigned_to_id == receiver.user.id


def test_declined_transfer_keeps_the_case(app, db_session, client, caseworker, supervisor):
    url, writer, _sender, receiver = _offer(app, db_session, caseworker, supervisor)
    sign_in(client, receiver, db_session)
    caseload = client.get("/cases/").get_data(as_text=True)
    action = re.search(r'action="(/cases/transfers/[^"]+/decline)"', caseload).group(1)
    assert post_form(client, action, {"reason": ""}, token_from="/cases/").status_code == 302
    assert db_session.scalar(select(CaseTransfer.status)) == "pending"
    post_form(client, action, {"reason": "No capacity this month."}, token_from="/cases/")
    assert db_session.scalar(select(CaseTransfer.status)) == "declined"
    assert writer.get(url).status_code == 200


def test_only_the_receiving_supervisor_decides(app, db_session, client, caseworker, supervisor):
    url, writer, sender, receiver = _offer(app, db_session, caseworker, supervisor)
    transfer = db_session.scalar(select(CaseTransfer))
    for outsider in (sender, writer):
        response = post_form(
            outsider, f"/cases/transfers/{transfer.id}/accept", {}, token_from="/account"
        )
        assert response.status_code == 403
    assert db_session.scalar(select(CaseTransfer.status)) == "pending"
    again = post_form(
        sender,
        f"{url}/transfer",
        {"organisation": str(receiver.user.organisation_id)},
        token_from=url,
    )
    assert again.status_code == 302
    assert len(db_session.scalars(select(CaseTransfer)).all()) == 1
