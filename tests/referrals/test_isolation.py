"""Isolation: only the addressed provider and the referring side ever reach a referral.

Object-level refusals are 404 (the referral's existence is not revealed) and audited; a role
that has no referral permission at all gets the usual 403 for every id, real or not.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from audit.models import AuditEvent
from core.permissions import Role
from tests.factories import csrf_token, make_account, make_organisation, sign_in
from tests.referrals.helpers import send

PROVIDER_ROUTES = [
    ("GET", "/referrals/{id}"),
    ("POST", "/referrals/{id}/accept"),
    ("POST", "/referrals/{id}/decline"),
    ("POST", "/referrals/{id}/complete"),
    ("POST", "/referrals/{id}/not-completed"),
]
REFERRER_ROUTES = [
    ("GET", "/referrals/{id}/sent"),
    ("GET", "/referrals/{id}/cancel"),
    ("POST", "/referrals/{id}/cancel"),
]
ALL_ROUTES = PROVIDER_ROUTES + REFERRER_ROUTES


def _denials(db, referral_id) -> int:
    return db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "access.denied", AuditEvent.object_id == str(referral_id))
    )


def _hit(app, client, method, path, token_page):
    data = {"csrf_token": csrf_token(client, token_page)} if method == "POST" else None
    return client.open(path, method=method, data=data)


@pytest.fixture
def referral(db_session, client, case, service):
    return send(client, db_session, case, service, fields=("name_latin", "phone"))


def _outsider(app, db_session, role, same_agency_of=None):
    if role is Role.PROVIDER_STAFF:
        org = make_organisation(app, db_session, agency=False, provider=True)
    else:
        org = same_agency_of or make_organisation(app, db_session, agency=True)
    account = make_account(app, db_session, role, organisation=org)
    other = app.test_client()
    sign_in(other, account, db_session)
    return other


@pytest.mark.parametrize("method,route", PROVIDER_ROUTES)
def test_staff_of_another_provider_get_404_audited(app, db_session, referral, method, route):
    outsider = _outsider(app, db_session, Role.PROVIDER_STAFF)
    before = _denials(db_session, referral.id)
    response = _hit(app, outsider, method, route.format(id=referral.id), "/referrals/inbox")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Farida" not in body and referral.reference not in body
    assert _denials(db_session, referral.id) == before + 1


@pytest.mark.parametrize("method,route", REFERRER_ROUTES)
def test_provider_staff_are_refused_the_referrer_pages(app, db_session, referral, method, route):
    for client in (
        _outsider(app, db_session, Role.PROVIDER_STAFF),  # another provider
    ):
        response = _hit(app, client, method, route.format(id=referral.id), "/referrals/inbox")
        assert response.status_code == 403
        assert referral.reference not in response.get_data(as_text=True)


def test_the_addressed_provider_is_refused_the_referrer_pages(
    app, db_session, referral, provider_client
):
    for method, route in REFERRER_ROUTES:
        response = _hit(
            app, provider_client, method, route.format(id=referral.id), "/referrals/inbox"
        )
        assert response.status_code == 403


@pytest.mark.parametrize("same_agency", [False, True], ids=["other-agency", "unassigned"])
@pytest.mark.parametrize("method,route", REFERRER_ROUTES)
def test_caseworkers_without_the_case_get_404_audited(
    app, db_session, referral, agency, method, route, same_agency
):
    outsider = _outsider(
        app, db_session, Role.CASEWORKER, same_agency_of=agency if same_agency else None
    )
    before = _denials(db_session, referral.id)
    response = _hit(app, outsider, method, route.format(id=referral.id), "/account")
    assert response.status_code == 404
    assert _denials(db_session, referral.id) == before + 1


def test_supervisor_of_another_agency_gets_404(app, db_session, referral):
    outsider = _outsider(app, db_session, Role.SUPERVISOR)
    for method, route in REFERRER_ROUTES:
        response = _hit(app, outsider, method, route.format(id=referral.id), "/account")
        assert response.status_code == 404


def test_case_team_roles_are_refused_provider_routes(app, db_session, referral, client):
    for method, route in PROVIDER_ROUTES:
        response = _hit(app, client, method, route.format(id=referral.id), "/account")
        assert response.status_code == 403


def test_supervisor_of_the_referring_agency_may_cancel(app, db_session, referral, supervisor):
    boss = app.test_client()
    sign_in(boss, supervisor, db_session)
    assert boss.get(f"/referrals/{referral.id}/sent").status_code == 200
    response = boss.post(
        f"/referrals/{referral.id}/cancel",
        data={"reason": "Duplicate", "csrf_token": csrf_token(boss, "/account")},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert referral.state == "cancelled"


def test_a_colleague_who_is_not_the_referrer_cannot_cancel(app, db_session, referral, agency, case):
    from casework.models import Case
    from tests.referrals.helpers import case_id_of

    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    db_session.get(Case, case_id_of(case)).assigned_to_id = colleague.user.id
    db_session.commit()
    other = app.test_client()
    sign_in(other, colleague, db_session)
    assert other.get(f"/referrals/{referral.id}/sent").status_code == 200
    response = other.post(
        f"/referrals/{referral.id}/cancel",
        data={"reason": "x", "csrf_token": csrf_token(other, "/account")},
    )
    assert response.status_code == 403
    denial = db_session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "access.denied", AuditEvent.object_id == str(referral.id))
        .order_by(AuditEvent.seq.desc())
    )
    assert json.loads(denial.details)["reason"] == "not_referrer"


def test_made_up_ids_are_plain_404(app, db_session, provider_client, client, case):
    import uuid

    made_up = uuid.uuid4()
    assert provider_client.get(f"/referrals/{made_up}").status_code == 404
    assert client.get(f"/referrals/{made_up}/sent").status_code == 404
