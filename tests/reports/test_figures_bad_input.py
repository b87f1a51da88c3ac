"""Bad or hostile figures requests are refused with 400 (never 500) and count nothing else."""

from __future__ import annotations

import pytest

from core.permissions import Role
from tests.factories import make_account, make_organisation, sign_in


def signed_in(app, db_session, role):
    account = make_account(app, db_session, role)
    client = app.test_client()
    sign_in(client, account, db_session)
    return client, account


@pytest.mark.parametrize(
    "query",
    [
        "start=0000-00",
        "start=9999-99",
        "end=2026-13",
        "start=2026-11&end=2026-01",
        "case_type=nope",
        "sex=%00",
        "age_band=999",
        "nationality=ZZZ",
        "organisation=not-a-uuid",
        "organisation=00000000-0000-0000-0000-000000000000",
        "format=pdf",
        "format=csv&table=nope",
        "start=%E2%80%AE2026-11",
    ],
)
def test_bad_filters_are_400(app, db_session, query):
    client, _ = signed_in(app, db_session, Role.ANALYST)
    assert client.get(f"/reports/national?{query}").status_code == 400, query


def test_huge_ranges_and_repeated_parameters_are_answered(app, db_session):
    client, _ = signed_in(app, db_session, Role.ANALYST)
    assert client.get("/reports/national?start=2000-01&end=2100-12").status_code == 200
    assert client.get("/reports/national?start=2000-01&end=2100-12&format=xlsx").status_code == 200
    assert client.get("/reports/national/ctdc.csv?start=0000-00").status_code == 400
    assert client.get("/reports/national/ctdc.csv?start=2026-05&end=2026-01").status_code == 400


def test_a_repeated_organisation_cannot_widen_a_supervisor_s_page(app, db_session):
    other = make_organisation(app, db_session, agency=True)
    client, _ = signed_in(app, db_session, Role.SUPERVISOR)
    page = client.get(f"/reports/team?organisation=&organisation={other.id}")
    assert page.status_code in (200, 400)
    assert other.name not in page.get_data(as_text=True)
