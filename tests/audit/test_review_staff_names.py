"""Second reader: the auditor's pages name staff and organisations, never the people served;
names are escaped (an account or organisation named with markup cannot inject it); the
pages stay the auditor's."""

from __future__ import annotations

from sqlalchemy import update

from auth.models import Organisation, User
from core.permissions import Role
from tests.casework.helpers import FARIDA, case_url, register, search
from tests.factories import make_account, sign_in

XSS = "<script>alert(1)</script>"
PERSON = ("Farida", "Nazari", "فریده", "نظری", "Фарида", "P-1234", "Ghoryan", "Herat")


def test_auditor_pages_name_staff_escaped_and_no_person(
    app, db_session, client, caseworker, agency
):
    db_session.execute(
        update(User).where(User.id == caseworker.user.id).values(display_name="Ann " + XSS)
    )
    db_session.execute(
        update(Organisation).where(Organisation.id == agency.id).values(name="Org " + XSS)
    )
    db_session.commit()
    sign_in(client, caseworker, db_session)
    url = case_url(register(client, FARIDA))
    client.get(url)
    search(client, "name", "Nazari")
    case_id = url.rsplit("/", 1)[1]
    auditor = app.test_client()
    sign_in(auditor, make_account(app, db_session, Role.AUDITOR), db_session)
    pages = ["/audit/", f"/audit/cases/{case_id}", f"/audit/users/{caseworker.user.id}"]
    pages += ["/audit/alerts", f"/audit/?organisation={agency.id}"]
    for page in pages:
        response = auditor.get(page)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert XSS not in body, page
        assert not [word for word in PERSON if word in body], page
    body = auditor.get(f"/audit/cases/{case_id}").get_data(as_text=True)
    assert "Ann &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Org &lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_staff_names_are_the_auditors_only(app, db_session, client, caseworker, agency):
    sign_in(client, caseworker, db_session)
    case_id = case_url(register(client, FARIDA)).rsplit("/", 1)[1]
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER_STAFF, Role.ADMINISTRATOR):
        other = app.test_client()
        organisation = agency if role in (Role.CASEWORKER, Role.SUPERVISOR) else None
        sign_in(other, make_account(app, db_session, role, organisation=organisation), db_session)
        for page in (f"/audit/cases/{case_id}", f"/audit/users/{caseworker.user.id}"):
            assert other.get(page).status_code == 403, (role, page)
