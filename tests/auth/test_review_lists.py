"""Second reader's attack tests (issue 17): labels an administrator types, and place names from
an imported file, reach caseworkers' pages escaped (no script of theirs runs there)."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l

from auth import lists
from core.crypto import EXTENSION_KEY, bind_crypto
from core.lists.registry import define, specs
from core.permissions import Role
from tests.casework.safety.helpers import raise_flag
from tests.core.places.helpers import HEADER, import_good
from tests.factories import make_account, post_form, sign_in

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _decrypting(app, db_session):
    bind_crypto(db_session, app.extensions[EXTENSION_KEY])


def _label_everything(app, db_session) -> None:
    with app.app_context():
        for spec in specs():
            for code in spec.builtin_codes:
                lists.update_labels(db_session, None, spec, code, {"en": PAYLOAD}, ["en"], None)
        db_session.commit()


def test_review_admin_labels_and_place_names_are_escaped(app, db_session, client, farida):
    import_good(
        db_session,
        f"{HEADER}\nAF,Afghanistan,AF01,{PAYLOAD.replace(',', ' ')},AF0101,{PAYLOAD[:30]}\n",
        app=app,
    )
    _label_everything(app, db_session)
    assert raise_flag(client, farida).status_code == 302
    pages = [
        farida,
        "/cases/",
        "/cases/new",
        f"{farida}/safety/flags",
        f"{farida}/safety/flags/new",
        f"{farida}/assistance/new",
    ]
    escaped = 0
    for url in pages:
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        escaped += html.count("&lt;script&gt;")
    assert escaped > 0


def test_review_only_administrators_reach_the_lists(app, db_session, client):
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR, Role.PROVIDER_STAFF):
        other = app.test_client()
        sign_in(other, make_account(app, db_session, role), db_session)
        for url in ("/admin/lists", "/admin/lists/flag_kind", "/admin/places"):
            assert other.get(url).status_code in (403, 404), (role, url)


REVIEW_LIST = "review_kinds"
define(REVIEW_LIST, _l("Review kinds"), (("cash", _l("Cash")),))


def test_review_labels_with_bidi_overrides_are_refused(app, db_session, client):
    """U+202E and its kin reorder what caseworkers read (a label shown backwards, or the
    text after it spoofed); the places import refuses them, and so must the lists."""
    sign_in(client, make_account(app, db_session, Role.ADMINISTRATOR), db_session)
    for bad in ("Cash\u202egnirehtona", "Cash\u2066x", "Cash\u200fx", "x\ufeff"):
        data = {"code": "new_one", "label_en": bad}
        response = post_form(client, f"/admin/lists/{REVIEW_LIST}/new", data)
        assert response.status_code == 400, repr(bad)
    # Persian needs the zero-width non-joiner: it stays allowed.
    ok = {"code": "new_one", "label_en": "Cash", "label_fa_AF": "می\u200cخواهم"}
    assert post_form(client, f"/admin/lists/{REVIEW_LIST}/new", ok).status_code in (302, 303)
