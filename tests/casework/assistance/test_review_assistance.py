"""Second reader's attack tests (issue 17): assistance seen where the policy says no.

The case panel lists a case's disbursements through ``visible_disbursements`` (the SQL twin of
``policy.can_view``), which leaves an emergency reader none; the disbursement page reached by
its address must apply ``can_view`` too, or the emergency reader reads the note."""

from __future__ import annotations

import pytest

from core.crypto import EXTENSION_KEY, bind_crypto
from core.permissions import Role
from tests.casework.assistance.helpers import grant, latest, record
from tests.factories import make_account, post_form, sign_in

REASON = {"reason": "She called the hotline tonight and asks for help."}


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def test_review_emergency_reader_cannot_open_a_disbursement(
    app, db_session, client, farida, caseworker, agency
):
    assert record(client, farida, grant(caseworker.user.id, amount="100")).status_code == 302
    found = latest(db_session)
    colleague = app.test_client()
    sign_in(colleague, make_account(app, db_session, Role.CASEWORKER, organisation=agency))
    assert post_form(colleague, f"{farida}/emergency", REASON).status_code == 302
    response = colleague.get(f"{farida}/assistance/{found.id}")
    assert response.status_code in (403, 404)
    assert "Sewing machine" not in response.get_data(as_text=True)
    # Nor does the case page give the emergency reader the panel's totals and budget.
    assert colleague.get(farida).status_code == 200
    assert "$100.00" not in colleague.get(farida).get_data(as_text=True)
