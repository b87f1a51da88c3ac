"""Second reader: a referral answer waits on Today only while its case is still the referrer's
to open (and, when declined, to refer again): a case transferred or reassigned away, closed or
erased leaves nothing behind (not its referral number, not a count in the navigation)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from casework.erasure import erase_person
from casework.models import Case
from core.clock import utcnow
from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from referrals.models import Referral
from tests.factories import make_account, make_organisation
from tests.referrals.helpers import case_id_of, provider_post, send


def _declined(client, db_session, case, service, provider_client):
    referral = send(client, db_session, case, service)
    declined = provider_post(
        provider_client, referral, "decline", {"reason": "Full", "reason_code": "no_capacity"}
    )
    assert declined.status_code == 302
    assert "Referral declined" in client.get("/today/").get_data(as_text=True)
    return referral


def _move(db_session, case, **values) -> None:
    db_session.execute(update(Case).where(Case.id == case_id_of(case)).values(**values))
    db_session.commit()


@pytest.mark.parametrize("away", ["organisation", "colleague", "closed"])
def test_a_declined_referral_of_a_case_no_longer_mine_leaves_today(
    app, db_session, client, case, service, provider_client, agency, away
):
    referral = _declined(client, db_session, case, service, provider_client)
    if away == "organisation":
        _move(db_session, case, organisation_id=make_organisation(app, db_session).id)
    elif away == "colleague":
        colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
        _move(db_session, case, assigned_to_id=colleague.user.id)
    else:
        _move(db_session, case, stage="closed")
    html = client.get("/today/").get_data(as_text=True)
    assert "Referral declined" not in html and referral.reference not in html


def test_an_erased_persons_referral_leaves_today(
    app, db_session, client, case, service, provider_client
):
    referral = _declined(client, db_session, case, service, provider_client)
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])
    record = db_session.get(Case, uuid.UUID(str(case_id_of(case))))
    with app.app_context():
        erase_person(db_session, None, record.person, "erasure request confirmed")
    db_session.commit()
    html = client.get("/today/").get_data(as_text=True)
    assert "Referral declined" not in html and referral.reference not in html


def test_an_accepted_referral_of_a_transferred_case_leaves_today(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service)
    assert provider_post(provider_client, referral, "accept").status_code == 302
    assert "Referral accepted" in client.get("/today/").get_data(as_text=True)
    _move(db_session, case, organisation_id=make_organisation(app, db_session).id)
    html = client.get("/today/").get_data(as_text=True)
    assert "Referral accepted" not in html and referral.reference not in html


@pytest.mark.parametrize("away", ["organisation", "colleague"])
def test_an_overdue_answer_of_a_case_no_longer_mine_leaves_the_tasks(
    app, db_session, client, case, service, agency, away
):
    referral = send(client, db_session, case, service)
    db_session.execute(
        update(Referral)
        .where(Referral.id == referral.id)
        .values(respond_by=utcnow() - timedelta(minutes=1))
    )
    db_session.commit()
    assert referral.reference in client.get("/tasks/").get_data(as_text=True)
    if away == "organisation":
        _move(db_session, case, organisation_id=make_organisation(app, db_session).id)
    else:
        colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
        _move(db_session, case, assigned_to_id=colleague.user.id)
    for page in ("/tasks/", "/today/"):
        assert referral.reference not in client.get(page).get_data(as_text=True)
