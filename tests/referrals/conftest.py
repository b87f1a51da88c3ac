from __future__ import annotations

import pytest

from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_account, make_organisation, sign_in
from tests.referrals.helpers import consent_for, make_service


@pytest.fixture
def agency(app, db_session):
    return make_organisation(app, db_session, agency=True)


@pytest.fixture
def caseworker(app, db_session, agency):
    return make_account(app, db_session, Role.CASEWORKER, organisation=agency)


@pytest.fixture
def supervisor(app, db_session, agency):
    return make_account(app, db_session, Role.SUPERVISOR, organisation=agency)


@pytest.fixture
def provider_org(app, db_session):
    return make_organisation(app, db_session, agency=False, provider=True)


@pytest.fixture
def provider(app, db_session, provider_org):
    return make_account(app, db_session, Role.PROVIDER_STAFF, organisation=provider_org)


@pytest.fixture
def service(db_session, provider_org):
    return make_service(db_session, organisation_id=provider_org.id, country="AL")


@pytest.fixture
def case(app, db_session, client, caseworker, provider_org) -> str:
    """A case registered by the caseworker (signed in on ``client``) with consent covering
    the provider for health services; returns the case URL."""
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    consent_for(client, url, provider_org.id)
    return url


@pytest.fixture
def provider_client(app, db_session, provider):
    other = app.test_client()
    sign_in(other, provider, db_session)
    return other


@pytest.fixture
def long_sessions(app, monkeypatch):
    """Sessions that outlive a trip days ahead on the clock (deadline tests sign in first)."""
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 60 * 24 * 60)
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 24 * 60)
