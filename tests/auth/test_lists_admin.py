"""The administrator's pages of the lists a deployment can set: every list, a list's entries,
adding an entry with labels per language, editing labels against a version (a stale form shows
the conflict and loses nothing), retiring and offering again; CSRF, bad input, audit."""

from __future__ import annotations

import re

import pytest
from flask_babel import lazy_gettext as _l
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from audit.models import AuditEvent
from core.lists import queries
from core.lists.models import ListEntry
from core.lists.registry import define
from core.permissions import Role
from tests.factories import csrf_token, make_account, post_form, sign_in

NAME = "test_admin_kinds"
define(
    NAME,
    _l("Test kinds of help"),
    (("cash", _l("Cash")), ("other", _l("Other"))),
    kept=("other",),
)
BASE = f"/admin/lists/{NAME}"


@pytest.fixture
def admin_client(app, db_session, client):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    return client


def _events(db_session, action: str) -> list[AuditEvent]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _row(db_session, code: str) -> ListEntry | None:
    db_session.expire_all()
    return db_session.get(ListEntry, (NAME, code))


def _version_on(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="([^"]*)"', page) or re.search(
        r'id="version" name="version" type="hidden" value="([^"]*)"', page
    )
    return match.group(1) if match else ""


def test_the_index_lists_every_defined_list_and_is_audited(db_session, admin_client) -> None:
    response = admin_client.get("/admin/lists")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Test kinds of help" in page
    assert f'href="{BASE}"' in page
    assert len(_events(db_session, "list.listed")) == 1


def test_a_list_shows_each_entry_in_each_language(db_session, admin_client) -> None:
    response = admin_client.get(BASE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="entry-cash"' in page and 'id="entry-other"' in page
    assert "Паспорт" not in page
    assert "دری" in page  # the Dari column, named in itself
    # "other" is kept by the code: no retire button
    assert f"{BASE}/entries/other/retire" not in page
    assert f"{BASE}/entries/cash/retire" in page
    (event,) = _events(db_session, "list.viewed")
    assert event.details_dict == {"list": NAME}


def test_unknown_list_or_entry_is_404(admin_client) -> None:
    assert admin_client.get("/admin/lists/no_such_list").status_code == 404
    assert admin_client.get(f"{BASE}/entries/nothing").status_code == 404


def test_add_an_entry_with_a_dari_label(app, db_session, admin_client) -> None:
    response = post_form(
        admin_client,
        f"{BASE}/new",
        {"code": "cash_for_work", "label_en": "Cash for work", "label_fa_AF": "پول در برابر کار"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    row = _row(db_session, "cash_for_work")
    assert row is not None and row.added and not row.retired
    assert row.labels == {"en": "Cash for work", "fa_AF": "پول در برابر کار"}
    (event,) = _events(db_session, "list.entry_added")
    assert event.details_dict == {
        "list": NAME,
        "code": "cash_for_work",
        "languages": ["en", "fa_AF"],
    }
    assert event.object_id == f"{NAME}:cash_for_work"
    with app.test_request_context("/"):
        assert (
            queries.label(db_session, NAME, "cash_for_work", locale="fa_AF") == "پول در برابر کار"
        )
        assert ("cash_for_work", "Cash for work") in queries.choices(db_session, NAME)
    page = admin_client.get(BASE).get_data(as_text=True)
    assert "پول در برابر کار" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "Cash For Work", "label_en": "x"}, "code", "lower-case"),
        ({"code": "cash", "label_en": "Cash again"}, "code", "already has"),
        ({"code": "new_one", "label_en": ""}, "label_en", "English label"),
        ({"code": "new_one", "label_en": "a" * 121}, "label_en", "121"),
        ({"code": "x" * 31, "label_en": "x"}, "code", ""),
        ({"code": "new_one", "label_en": "bad\x07bell"}, "label_en", "control"),
    ],
)
def test_bad_new_entries_are_refused_with_a_message(
    db_session, admin_client, data, field, message
) -> None:
    response = post_form(admin_client, f"{BASE}/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    if message and message != "121":
        assert message in page
    assert _events(db_session, "list.entry_added") == []


def test_forms_need_the_csrf_token(db_session, admin_client) -> None:
    response = admin_client.post(f"{BASE}/new", data={"code": "sneaky", "label_en": "Sneaky"})
    assert response.status_code == 400
    assert _row(db_session, "sneaky") is None
    response = admin_client.post(f"{BASE}/entries/cash/retire", data={"version": ""})
    assert response.status_code == 400
    assert _row(db_session, "cash") is None


def test_edit_labels_of_a_built_in_entry(app, db_session, admin_client) -> None:
    page = admin_client.get(f"{BASE}/entries/cash").get_data(as_text=True)
    assert "Left blank: Cash" in page
    assert _version_on(page) == ""
    response = post_form(
        admin_client, f"{BASE}/entries/cash", {"version": "", "label_fa_AF": "پول نقد"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    row = _row(db_session, "cash")
    assert row is not None and not row.added and row.labels == {"fa_AF": "پول نقد"}
    (event,) = _events(db_session, "list.entry_updated")
    assert event.details_dict == {"list": NAME, "code": "cash", "languages": ["fa_AF"]}
    with app.test_request_context("/"):
        assert queries.label(db_session, NAME, "cash", locale="fa_AF") == "پول نقد"
        assert queries.label(db_session, NAME, "cash", locale="en") == "Cash"
    assert len(_events(db_session, "list.entry_viewed")) == 2  # the page, and the token fetch


def test_a_stale_edit_shows_the_conflict_and_keeps_what_was_typed(db_session, admin_client) -> None:
    loaded = _version_on(admin_client.get(f"{BASE}/entries/cash").get_data(as_text=True))
    first = post_form(
        admin_client, f"{BASE}/entries/cash", {"version": loaded, "label_en": "Money"}
    )
    assert first.status_code == 302
    stale = post_form(
        admin_client, f"{BASE}/entries/cash", {"version": loaded, "label_en": "Coins"}
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else saved" in page
    assert "Money" in page and 'value="Coins"' in page
    assert _row(db_session, "cash").labels == {"en": "Money"}
    # saving again from the conflict page (which carries the new version) works
    again = post_form(
        admin_client,
        f"{BASE}/entries/cash",
        {"version": _version_on(page), "label_en": "Coins"},
        token_from=f"{BASE}/entries/cash",
    )
    assert again.status_code == 302
    assert _row(db_session, "cash").labels == {"en": "Coins"}


def test_an_added_entry_keeps_an_english_label(db_session, admin_client) -> None:
    post_form(admin_client, f"{BASE}/new", {"code": "fuel", "label_en": "Fuel"})
    version = str(_row(db_session, "fuel").version)
    response = post_form(admin_client, f"{BASE}/entries/fuel", {"version": version, "label_en": ""})
    assert response.status_code == 400
    assert "English label" in response.get_data(as_text=True)


def test_retire_and_offer_again(app, db_session, admin_client) -> None:
    token = csrf_token(admin_client, BASE)
    response = admin_client.post(
        f"{BASE}/entries/cash/retire", data={"csrf_token": token, "version": ""}
    )
    assert response.status_code == 302
    row = _row(db_session, "cash")
    assert row is not None and row.retired
    with app.test_request_context("/"):
        assert [c for c, _ in queries.choices(db_session, NAME)] == ["other"]
        assert queries.label(db_session, NAME, "cash") == "Cash"
    page = admin_client.get(BASE).get_data(as_text=True)
    assert "Retired" in page and f"{BASE}/entries/cash/offer" in page
    response = admin_client.post(
        f"{BASE}/entries/cash/offer", data={"csrf_token": token, "version": str(row.version)}
    )
    assert response.status_code == 302
    assert not _row(db_session, "cash").retired
    assert len(_events(db_session, "list.entry_retired")) == 1
    assert len(_events(db_session, "list.entry_offered")) == 1


def test_a_kept_entry_cannot_be_retired_and_a_stale_retirement_is_refused(
    db_session, admin_client
) -> None:
    token = csrf_token(admin_client, BASE)
    response = admin_client.post(
        f"{BASE}/entries/other/retire", data={"csrf_token": token, "version": ""}
    )
    assert response.status_code == 400
    assert "cannot be retired" in response.get_data(as_text=True)
    assert _row(db_session, "other") is None
    response = admin_client.post(
        f"{BASE}/entries/cash/retire", data={"csrf_token": token, "version": "7"}
    )
    assert response.status_code == 409
    assert _row(db_session, "cash") is None


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR])
def test_only_administrators(app, db_session, client, role) -> None:
    sign_in(client, make_account(app, db_session, role), db_session)
    assert client.get("/admin/lists").status_code == 403
    assert client.get(BASE).status_code == 403


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=140)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=_text, en=_text, fa=_text, version=_text)
def test_fuzzed_forms_never_fail_with_a_server_error(
    db_session, admin_client, code, en, fa, version
) -> None:
    token = csrf_token(admin_client, f"{BASE}/new")
    response = admin_client.post(
        f"{BASE}/new",
        data={"csrf_token": token, "code": code, "label_en": en, "label_fa_AF": fa},
    )
    assert response.status_code in (302, 400)
    response = admin_client.post(
        f"{BASE}/entries/cash",
        data={"csrf_token": token, "version": version, "label_en": en, "label_fa_AF": fa},
    )
    assert response.status_code in (302, 400, 409)
    response = admin_client.post(
        f"{BASE}/entries/cash/retire", data={"csrf_token": token, "version": version}
    )
    assert response.status_code in (302, 400, 409)
