"""The templates' ``label`` filter: each label is translated once a request and catalogue,
and what it writes is what the label itself would write."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, refresh

from casework.vocabulary import Sex

PAGE = '{{ value|label("Sex") }}'


def test_a_label_in_another_language_within_the_same_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(PAGE, value="other") == "Other sex"
        with force_locale("fr"):  # an e-mail in its recipient's language, mid-request
            assert render_template_string(PAGE, value="other") == "Autre"
            assert render_template_string(PAGE, value=Sex.OTHER) == "Autre"
        assert render_template_string(PAGE, value=Sex.OTHER) == "Other sex"


def test_the_request_locale_changed_by_refresh_is_followed(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(PAGE, value="female") == "Female"
        with force_locale("fr"):
            refresh()
            assert render_template_string(PAGE, value="female") != "Female"


def test_unknown_and_empty_values_are_written_escaped(app):
    with app.test_request_context("/"):
        assert render_template_string(PAGE, value="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
        assert render_template_string(PAGE, value=None) == ""
        assert render_template_string(PAGE, value="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


def test_outside_a_request_the_label_is_the_vocabularys_own(app):
    with app.app_context():
        assert str(app.jinja_env.filters["label"]("other", "Sex")) == "Other sex"


def test_a_value_that_is_not_text_is_labelled_as_before(app):
    with app.test_request_context("/"):
        assert render_template_string(PAGE, value=["<x>"]) == "[&#39;&lt;x&gt;&#39;]"
