"""An auditor sees every disclosure of a person's data to a provider: in the log, on its own
page of the audit workspace, and in the case's history."""

from __future__ import annotations

from core.permissions import Role
from tests.factories import make_account, sign_in
from tests.referrals.helpers import case_id_of, send


def test_every_provider_view_is_a_disclosure_the_auditor_finds(
    app, db_session, client, case, service, provider_client
):
    referral = send(client, db_session, case, service, fields=("name_latin", "phone"))
    for _ in range(2):
        assert provider_client.get(f"/referrals/{referral.id}").status_code == 200

    auditor = make_account(app, db_session, Role.AUDITOR)
    audit_client = app.test_client()
    sign_in(audit_client, auditor, db_session)
    log = audit_client.get("/audit/").get_data(as_text=True)
    assert "Disclosures to providers" in log

    page = audit_client.get("/audit/?action=referral.disclosed")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert body.count("referral.disclosed") >= 2
    assert str(referral.id) in body
    assert 'aria-current="page">Disclosures to providers' in body
    # The auditor's pages hold ids and codes, never the shared values themselves.
    assert "Farida" not in body and "+93 700 123 456" not in body

    history = audit_client.get(f"/audit/cases/{case_id_of(case)}").get_data(as_text=True)
    assert "referral.disclosed" in history
