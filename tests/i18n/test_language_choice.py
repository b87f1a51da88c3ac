"""Which language a page is in: the user's stored preference, then the sign-in page's choice
(a cookie), then the browser's Accept-Language, then HOMEWARD_DEFAULT_LOCALE. Only languages
whose catalogue is complete are offered, each named in itself."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select

from audit.models import AuditEvent
from auth.models import User
from core.app import create_app
from core.locales import ENDONYMS, LOCALE_COOKIE, cldr_endonym, complete_locales, endonym
from core.permissions import Role
from tests.conftest import make_settings
from tests.factories import make_account, post_form, sign_in

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
SHIPPED = ["ar", "en", "fa_AF", "fr", "ps", "ru", "tr", "ur"]


def translated(code: str, msgid: str) -> str:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        message = read_po(handle)[msgid]
    assert message is not None and message.string
    return str(message.string)


def translated_or_english(code: str, msgid: str) -> str:
    """The translation once the catalogue has it (new messages wait for the translators)."""
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        message = read_po(handle)[msgid]
    return str(message.string) if message is not None and message.string else msgid


def html_tag(body: str) -> str:
    match = re.search(r"<html[^>]*>", body)
    assert match
    return match.group(0)


def heading(body: str) -> str:
    match = re.search(r'<h1 id="login-title">([^<]*)</h1>', body)
    assert match, body
    return html.unescape(match.group(1))


def offered(body: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', body, re.S)
    assert block, f"no select #{select_id}"
    return re.findall(r'<option[^>]*value="([^"]*)"', block.group(1))


def test_with_accept_language_fa_af_the_sign_in_page_is_dari_and_right_to_left(client):
    body = client.get("/login", headers={"Accept-Language": "fa-AF,fa;q=0.9"}).get_data(True)
    assert 'lang="fa-AF"' in html_tag(body) and 'dir="rtl"' in html_tag(body)
    assert heading(body) == translated("fa_AF", "Sign in to Homeward")


def test_with_accept_language_ru_the_sign_in_page_is_russian(client):
    body = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(
        True
    )
    assert 'lang="ru"' in html_tag(body) and 'dir="ltr"' in html_tag(body)
    assert heading(body) == translated("ru", "Sign in to Homeward")


def test_right_to_left_for_each_right_to_left_language(client):
    for code, tag in (("ps", "ps"), ("ar", "ar"), ("ur", "ur"), ("tr", "tr"), ("fr", "fr")):
        body = client.get("/login", headers={"Accept-Language": tag}).get_data(True)
        expected = "rtl" if code in ("ps", "ar", "ur") else "ltr"
        assert f'dir="{expected}"' in html_tag(body), code
        assert heading(body) == translated(code, "Sign in to Homeward")


def test_without_a_choice_the_default_language(client):
    body = client.get("/login", headers={"Accept-Language": "de-DE,ja;q=0.5"}).get_data(True)
    assert 'lang="en"' in html_tag(body)
    assert heading(body) == "Sign in to Homeward"


def test_the_deployment_default_applies_when_nothing_else_chose(database_url, key_file):
    app = create_app(make_settings(database_url, key_file, DEFAULT_LOCALE="fr"))
    try:
        body = app.test_client().get("/login", headers={"Accept-Language": "de"}).get_data(True)
        assert 'lang="fr"' in html_tag(body)
        assert heading(body) == translated("fr", "Sign in to Homeward")
    finally:
        app.extensions["homeward_db"].engine.dispose()


def test_the_sign_in_page_switcher_sets_a_cookie_that_beats_the_browser(client):
    response = post_form(client, "/language?next=/cases/", {"language": "ru"}, "/login")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login?next=/cases/")
    cookie = client.get_cookie(LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "ru" and cookie.http_only
    body = client.get("/login", headers={"Accept-Language": "fa-AF"}).get_data(True)
    assert heading(body) == translated("ru", "Sign in to Homeward")


def test_the_switcher_refuses_a_language_not_offered_and_a_missing_token(client):
    assert post_form(client, "/language", {"language": "fa"}, "/login").status_code == 400
    assert post_form(client, "/language", {"language": "xx"}, "/login").status_code == 400
    assert client.post("/language", data={"language": "ru"}).status_code == 400
    assert client.get_cookie(LOCALE_COOKIE) is None


def test_a_cookie_for_a_language_not_offered_is_ignored(client):
    client.set_cookie(LOCALE_COOKIE, "de")
    body = client.get("/login", headers={"Accept-Language": "ar"}).get_data(True)
    assert 'lang="ar"' in html_tag(body)


def test_the_stored_preference_wins_over_cookie_and_browser(app, client, db_session):
    account = make_account(app, db_session, Role.CASEWORKER)
    account.user.preferred_language = "tr"
    db_session.commit()
    client.set_cookie(LOCALE_COOKIE, "ru")
    sign_in(client, account, db_session)
    body = client.get("/account", headers={"Accept-Language": "fa-AF"}).get_data(True)
    assert 'lang="tr"' in html_tag(body)
    assert translated("tr", "My account") in body


def test_the_account_switcher_stores_the_preference_and_sets_the_cookie(app, client, db_session):
    account = make_account(app, db_session, Role.PROVIDER_STAFF)
    sign_in(client, account, db_session)
    response = post_form(client, "/account/language", {"language": "ar"}, "/account")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(User, account.user.id).preferred_language == "ar"
    cookie = client.get_cookie(LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "ar"
    event = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_id == str(account.user.id), AuditEvent.action == "user.updated")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert event is not None and "preferred_language" in event.details
    assert '"ar"' not in event.details  # the field's name, never its value
    body = client.get("/account", headers={"Accept-Language": "ru"}).get_data(True)
    assert 'dir="rtl"' in html_tag(body) and translated("ar", "My account") in body
    saved = html.escape(translated_or_english("ar", "Language saved."))
    assert f'<div class="flash flash--success" role="status">{saved}</div>' in body


def test_the_account_switcher_refuses_a_language_not_offered(app, client, db_session):
    account = make_account(app, db_session, Role.CASEWORKER)
    sign_in(client, account, db_session)
    response = post_form(client, "/account/language", {"language": "fa"}, "/account")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(User, account.user.id).preferred_language == "en"


def test_only_complete_languages_are_offered_each_named_in_itself(app, client, db_session):
    body = client.get("/login").get_data(True)
    assert offered(body, "language") == SHIPPED
    for code in SHIPPED:
        assert html.escape(endonym(code)) in body or endonym(code) in body
    assert endonym("fa_AF") == "دری" and endonym("ru") == "Русский"
    assert 'lang="fa-AF"' in body  # each option is marked with its language
    admin = make_account(app, db_session, Role.ADMINISTRATOR)
    sign_in(client, admin, db_session)
    form = client.get("/admin/users/new").get_data(True)
    assert offered(form, "preferred_language") == SHIPPED


def _compiled(directory: Path, code: str, messages: list[Message], num_plurals: int) -> None:
    catalog = Catalog(locale=code)
    for message in messages:
        catalog[message.id] = message
    target = directory / code / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)  # as `make translations`: fuzzy entries left out


def test_a_catalogue_is_offered_only_when_it_translates_every_message(tmp_path):
    template = Catalog()
    template.add("Case")
    template.add(("%(num)d day", "%(num)d days"))
    with (tmp_path / "messages.pot").open("wb") as handle:
        write_po(handle, template)
    full = [Message("Case", "Dossier"), Message(("%(num)d day", "%(num)d days"), ("j", "js"))]
    _compiled(tmp_path, "fr", full, 2)
    _compiled(tmp_path, "tr", [Message("Case", "Vaka")], 2)  # one missing
    _compiled(
        tmp_path,
        "ru",
        [Message("Case", "Дело", flags={"fuzzy"}), full[1]],
        3,
    )
    _compiled(
        tmp_path,
        "ar",
        [Message("Case", "حالة"), Message(("%(num)d day", "%(num)d days"), ("يوم", ""))],
        6,
    )
    assert complete_locales(tmp_path, "en") == ["en", "fr"]


def test_the_shipped_languages_are_named_as_cldr_names_them():
    """The endonyms kept in a table (so the switcher does not load every language's CLDR data
    into each worker) are babel's own, and a language added later is named by babel."""
    assert set(ENDONYMS) >= set(SHIPPED)
    for code, name in ENDONYMS.items():
        assert name == cldr_endonym(code), code
    assert endonym("de") == cldr_endonym("de") == "Deutsch"
