from __future__ import annotations

import pytest

from core.permissions import Role
from tests.factories import make_account, make_organisation


@pytest.fixture
def agency(app, db_session):
    return make_organisation(app, db_session, agency=True)


@pytest.fixture
def caseworker(app, db_session, agency):
    return make_account(app, db_session, Role.CASEWORKER, organisation=agency)


@pytest.fixture
def supervisor(app, db_session, agency):
    return make_account(app, db_session, Role.SUPERVISOR, organisation=agency)
