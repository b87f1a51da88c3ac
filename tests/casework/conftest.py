from __future__ import annotations

import pytest

from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_account, make_organisation, sign_in


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
def farida(app, db_session, client, caseworker) -> str:
    """The address of a case registered by the caseworker, who stays signed in on ``client``."""
    sign_in(client, caseworker, db_session)
    return case_url(register(client, FARIDA))
