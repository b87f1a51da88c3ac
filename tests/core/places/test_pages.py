"""The administrator's places page and the picker (no JavaScript: a <select> with groups)."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from core.permissions import Role
from core.places.models import Place
from tests.core.places.helpers import GOOD, csv_of, import_good
from tests.factories import csrf_token, make_account, post_form, sign_in


def _admin(app, db_session, client):
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)


def _upload(client, data: bytes, name: str = "places.csv"):
    return post_form(
        client,
        "/admin/places",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_page_lists_counts_per_country_and_province(app, db_session, client):
    import_good(db_session, app=app)
    _admin(app, db_session, client)
    body = client.get("/admin/places").get_data(as_text=True)
    assert "Afghanistan" in body and "2 provinces, 3 districts" in body
    assert "Tajikistan" in body and "1 province, 0 districts" in body


def test_upload_imports_a_good_file(app, db_session, client):
    _admin(app, db_session, client)
    response = _upload(client, GOOD.encode())
    assert response.status_code == 303
    page = client.get("/admin/places").get_data(as_text=True)
    assert "Places imported: 8 new, 0 updated, 0 unchanged." in page
    assert db_session.scalar(select(func.count()).select_from(Place)) == 8


def test_upload_refuses_a_bad_file_whole_listing_each_line(app, db_session, client):
    _admin(app, db_session, client)
    response = _upload(client, csv_of("AF,Afghanistan,AF01,Kabul,,", "AF,,AF02,Kapisa,,"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "line 3: the country name is missing" in body
    assert "1 problem found; nothing was imported" in body
    assert db_session.scalar(select(func.count()).select_from(Place)) == 0


def test_upload_without_a_file_or_token_is_refused(app, db_session, client):
    _admin(app, db_session, client)
    assert post_form(client, "/admin/places", {}).status_code == 400
    no_token = client.post(
        "/admin/places",
        data={"file": (io.BytesIO(GOOD.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(Place)) == 0


def test_caseworkers_may_not_import(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    token = csrf_token(client, "/account")
    response = client.post(
        "/admin/places",
        data={"csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(Place)) == 0


def _select(body: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}".*?</select>', body, re.S)
    assert match, name
    return match.group(0)


def test_the_picker_groups_places_by_country_and_province(app, db_session, client, caseworker):
    import_good(db_session, app=app)
    sign_in(client, caseworker, db_session)
    picker = _select(client.get("/cases/new").get_data(as_text=True), "place_code")
    groups = re.findall(r'<optgroup label="([^"]+)">', picker)
    assert groups == ["Afghanistan", "Herat (Afghanistan)", "Kabul (Afghanistan)", "Tajikistan"]
    assert picker.index('value=""') < picker.index("<optgroup")
    assert '<option value="AF3002">Injil, Herat</option>' in picker
    assert '<option value="TJ01">Dushanbe (Tajikistan)</option>' in picker
    assert "<script" not in picker


def test_the_picker_speaks_the_readers_language(app, db_session, client, caseworker):
    import_good(db_session, app=app)
    caseworker.user.preferred_language = "ps"
    db_session.flush()
    sign_in(client, caseworker, db_session)
    body = client.get("/cases/new").get_data(as_text=True)
    picker = _select(body, "place_code")
    assert "انجیل" in picker


def test_upload_problems_are_shown_in_the_readers_language_and_escaped(
    app, db_session, client, monkeypatch
):
    """Each problem is a message translated when the page is drawn: with a French catalogue
    entry for it (the .po files are the integrator's; one is added in memory here) a reader
    whose language is French reads it in French; the file's values stay escaped."""
    import flask_babel

    # offered only when its catalogue is complete: not what this test is about
    monkeypatch.setitem(
        app.extensions, "homeward_locales", sorted({*app.extensions["homeward_locales"], "fr"})
    )
    with app.test_request_context(), flask_babel.force_locale("fr"):
        catalogue = flask_babel.get_translations()._catalog
    monkeypatch.setitem(
        catalogue,
        "line %(line)d: the country name is missing",
        "ligne %(line)d : le nom du pays manque",
    )
    monkeypatch.setitem(
        catalogue,
        "line %(line)d: the province code %(code)s is not a P-code (letters, digits, . _ -)",
        "ligne %(line)d : le code de province %(code)s n'est pas un P-code",
    )
    account = make_account(app, db_session, Role.ADMINISTRATOR)
    account.user.preferred_language = "fr"
    db_session.flush()
    sign_in(client, account, db_session)
    response = _upload(client, csv_of("AF,,AF01,Kabul,,", "AF,Afghanistan,<b>x,Kabul,,"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ligne 2 : le nom du pays manque" in body
    assert "line 2:" not in body
    assert "ligne 3 : le code de province &#39;&lt;B&gt;X&#39; n&#39;est pas un P-code" in body
    assert "<B>X" not in body
