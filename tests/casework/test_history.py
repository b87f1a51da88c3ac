"""The case page tells its own story: timeline of changes and who looked, from the audit log."""

from __future__ import annotations

from sqlalchemy import select

from casework.models import Case
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register
from tests.factories import make_account, post_form, sign_in


def test_timeline_and_access_history(app, db_session, client, caseworker, agency):
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    post_form(client, f"{url}/notes", {"body": "First meeting."}, token_from=url)
    colleague = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    nosy = app.test_client()
    sign_in(nosy, colleague, db_session)
    assert nosy.get(url).status_code == 403
    page = client.get(url).get_data(as_text=True)
    timeline = page[page.index('id="timeline"') : page.index('id="access-history"')]
    assert (
        "Case opened" in timeline and "Note added" in timeline and "Person registered" in timeline
    )
    access = page[page.index('id="access-history"') :]
    assert caseworker.user.display_name in access and colleague.user.display_name in access


def test_auditor_finds_a_case_by_its_reference_number(app, db_session, client, caseworker):
    writer = app.test_client()
    sign_in(writer, caseworker, db_session)
    case_url(register(writer, FARIDA))
    number = db_session.scalar(select(Case.case_number))
    auditor = make_account(app, db_session, Role.AUDITOR)
    sign_in(client, auditor, db_session)
    page = client.get(f"/audit/?case={number}").get_data(as_text=True)
    assert number in page and "case.created" in page
    assert "Farida" not in page and "فریده" not in page


def test_many_views_do_not_push_the_changes_out_of_the_timeline(
    app, db_session, client, caseworker
):
    """The timeline reads only changes: 600 views after the registration (more than the 500
    events it reads) still leave "Case opened" on the page."""
    from audit.services import record

    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    case = db_session.scalar(select(Case).order_by(Case.opened_at.desc()))
    with app.test_request_context("/"):
        for _ in range(600):
            record(db_session, "case.viewed", actor=caseworker.actor, case_id=case.id)
        db_session.commit()
    page = client.get(url).get_data(as_text=True)
    timeline = page[page.index('id="timeline"') : page.index('id="access-history"')]
    assert "Case opened" in timeline and "Person registered" in timeline
