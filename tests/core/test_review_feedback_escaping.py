"""Second reader: messages and form errors carry typed text; wherever they are shown (the page
top, a section, the error summary) it is escaped, and a search term comes back only escaped."""

from __future__ import annotations

from flask import flash, render_template_string
from wtforms import StringField

from core.forms import Form
from tests.factories import post_form, sign_in

XSS = '"><script>alert(1)</script>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PAGE = (
    '{% extends "base.html" %}{% block content %}'
    '<section id="notes">{{ section_flashes("notes") }}</section>{% endblock %}'
)


class _Typed(Form):
    name = StringField("Name " + XSS)


def test_flashes_and_error_summary_escape_what_they_carry(app, db_session):
    with app.test_request_context("/", method="POST"):
        flash("Top " + XSS, "error")
        flash("Inside " + XSS, "success#notes")
        form = _Typed(meta={"csrf": False})
        form.name.errors = ["Wrong " + XSS]
        form.form_errors.append("Form " + XSS)
        body = render_template_string(PAGE, form=form)
    assert "<script>" not in body
    assert f"Top &#34;&gt;{ESCAPED}" in body and f"Inside &#34;&gt;{ESCAPED}" in body
    assert body.count(ESCAPED) >= 5  # two messages, the form's error, the field's label and error


def test_a_typed_term_comes_back_escaped(app, db_session, client, caseworker):
    sign_in(client, caseworker, db_session)
    for kind in ("date_of_birth", "name", "document"):
        data = {"kind": kind, "term": "1998" + XSS}
        body = post_form(client, "/cases/search", data, token_from="/cases/").get_data(as_text=True)
        assert "<script>alert(1)" not in body, kind
