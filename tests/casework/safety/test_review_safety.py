"""Second reader's attack tests (issue 17): what an emergency reader must not read.

The banner shows an emergency reader the active flags' kinds (the warnings), never their
reasons nor the safety plan: the safety panel is hidden from them, and the flags and plan pages
reached by their address must refuse them as well."""

from __future__ import annotations

from core.permissions import Role
from tests.casework.safety.helpers import FLAG, raise_flag, save_plan
from tests.factories import make_account, post_form, sign_in

REASON = {"reason": "She called the hotline tonight and asks for help."}


def _emergency_reader(app, db_session, agency, farida):
    colleague = app.test_client()
    sign_in(colleague, make_account(app, db_session, Role.CASEWORKER, organisation=agency))
    assert post_form(colleague, f"{farida}/emergency", REASON).status_code == 302
    return colleague


def test_review_emergency_reader_cannot_read_flag_reasons(app, db_session, client, farida, agency):
    assert raise_flag(client, farida).status_code == 302
    colleague = _emergency_reader(app, db_session, agency, farida)
    response = colleague.get(f"{farida}/safety/flags")
    assert response.status_code == 403
    assert FLAG["reason"] not in response.get_data(as_text=True)


def test_review_emergency_reader_cannot_read_the_safety_plan(
    app, db_session, client, farida, agency
):
    assert save_plan(client, farida).status_code == 302
    colleague = _emergency_reader(app, db_session, agency, farida)
    response = colleague.get(f"{farida}/safety/plan")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Shelter hotline 119" not in page and "two streets away" not in page
