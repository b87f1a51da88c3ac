"""core.i18n.catalogue: the request's catalogue is found once, and follows a locale change."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale, gettext, lazy_gettext, refresh

from core.i18n.catalogue import current_translations


def test_messages_follow_force_locale_and_come_back(app: Flask):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french = gettext("Cases")
        assert french != "Cases"
        with force_locale("en"):
            assert gettext("Cases") == "Cases"
            assert str(lazy_gettext("Cases")) == "Cases"
            assert render_template_string("{{ _('Cases') }}") == "Cases"
        assert gettext("Cases") == french
        assert render_template_string("{{ _('Cases') }}") == french


def test_refresh_looks_the_catalogue_up_again(app: Flask):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        before = current_translations()
        assert current_translations() is before  # kept for the request
        refresh()
        assert gettext("Cases") != "Cases"


def test_template_gettext_escapes_variables_and_formats_like_jinja(app: Flask):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        shown = render_template_string(
            "{% autoescape true %}{{ _('Case %(number)s registered.', number='<b>') }}"
            "{% endautoescape %}"
        )
        assert shown == "Case &lt;b&gt; registered."
        assert render_template_string("{{ gettext('100%%') }}") == "100%"
