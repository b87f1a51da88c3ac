"""Who may reach consent and screening pages; what is stored in the clear (nothing personal)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from casework.consent.models import LegalBasisRecord
from casework.screening.models import Screening
from core.permissions import Role
from tests.casework.helpers import (
    CONSENT,
    SCREENING,
    record_consent,
    record_screening,
    registered_case,
)
from tests.factories import csrf_token, make_account, make_organisation, sign_in


def _pages(url: str, basis_id) -> list[tuple[str, str]]:
    return [
        ("GET", f"{url}/consent/"),
        ("GET", f"{url}/consent/new"),
        ("POST", f"{url}/consent/new"),
        ("GET", f"{url}/consent/{basis_id}/withdraw"),
        ("POST", f"{url}/consent/{basis_id}/withdraw"),
        ("GET", f"{url}/screening/"),
        ("GET", f"{url}/screening/new"),
        ("POST", f"{url}/screening/new"),
        ("GET", f"{url}/screening/reflection"),
        ("POST", f"{url}/screening/reflection"),
    ]


@pytest.fixture
def case_with_consent(app, db_session, caseworker):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    url = registered_case(writer)
    record_consent(writer, url, CONSENT)
    record_screening(writer, url, SCREENING)
    return url, db_session.scalar(select(LegalBasisRecord.id))


@pytest.mark.parametrize(
    "who", ["colleague", "other_supervisor", Role.PROVIDER_STAFF, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_outsiders_get_an_audited_403(app, db_session, client, agency, case_with_consent, who):
    url, basis_id = case_with_consent
    if who == "colleague":
        account = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    elif who == "other_supervisor":
        other = make_organisation(app, db_session, agency=True)
        account = make_account(app, db_session, Role.SUPERVISOR, organisation=other)
    else:
        account = make_account(app, db_session, who)
    sign_in(client, account, db_session)
    token = csrf_token(client, "/account")
    for method, path in _pages(url, basis_id):
        data = {**CONSENT, **SCREENING, "reason": "x", "csrf_token": token}
        response = client.open(path, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, path)
        assert "Share medical needs" not in response.get_data(as_text=True)
    denials = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access.denied", AuditEvent.actor_user_id == account.user.id
        )
    ).all()
    assert len(denials) == len(_pages(url, basis_id))
    assert len(db_session.scalars(select(LegalBasisRecord)).all()) == 1
    assert len(db_session.scalars(select(Screening)).all()) == 1


def test_supervisor_of_the_organisation_may_record(
    app, db_session, client, supervisor, case_with_consent
):
    url, _ = case_with_consent
    sign_in(client, supervisor, db_session)
    assert client.get(f"{url}/consent/").status_code == 200
    assert record_screening(client, url, SCREENING).status_code == 302


def test_posts_without_csrf_are_refused(app, db_session, client, caseworker, case_with_consent):
    url, basis_id = case_with_consent
    sign_in(client, caseworker, db_session)
    for path in (
        f"{url}/consent/new",
        f"{url}/screening/new",
        f"{url}/consent/{basis_id}/withdraw",
    ):
        assert client.post(path, data={**CONSENT, **SCREENING, "reason": "x"}).status_code == 400


def test_no_plaintext_of_purpose_justification_or_indicators_at_rest(
    app, db_session, client, caseworker
):
    sign_in(client, caseworker, db_session)
    url = registered_case(client)
    record_consent(client, url, CONSENT)
    record_consent(
        client, url, {"basis": "vital_interest", "justification": "Unconscious after the crossing"}
    )
    record_screening(client, url, SCREENING)
    conn = db_session.info["connection"]
    rows = [
        *conn.exec_driver_sql("SELECT * FROM legal_basis"),
        *conn.exec_driver_sql("SELECT * FROM screening"),
    ]
    assert len(rows) == 3
    dump = "\n".join(repr(r) for r in rows)
    for secret in [
        "shelter doctor",
        "Unconscious",
        "crossing",
        "deception",
        "debt_bondage",
        "retention_of_documents",
        "withholds_documents",
        "forced_labour",
        "bakery",
    ]:
        assert secret not in dump, secret
        assert secret.encode().hex() not in dump, secret
    assert "possible" in dump  # the outcome stays plain, for statistics
