"""The error summary above every form that failed, and messages that carry their section."""

from __future__ import annotations

import re

from flask import flash, make_response, redirect, render_template_string, session
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired

from core import feedback
from core.feedback import page_flashes, section_flashes
from core.forms import Form, MultiCheckboxField
from tests.factories import post_form

PAGE = '{% extends "base.html" %}{% block content %}<p>Content</p>{% endblock %}'


def _summary(body: str) -> str:
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', body, re.S)
    assert match, "no error summary"
    return match.group(0)


def _links(summary: str) -> list[str]:
    return re.findall(r'<a href="#([^"]+)">', summary)


def test_the_directory_form_lists_every_field_in_error_with_a_link(as_admin):
    data = {"name": "", "country": "QQ", "email": "not an address", "phone": "call me"}
    response = post_form(as_admin, "/directory/manage/organizations/new", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    summary = _summary(body)
    assert 'role="alert" tabindex="-1"' in summary
    assert "Nothing was saved: 4 problems to fix" in summary
    assert sorted(_links(summary)) == ["country", "email", "name", "phone"]
    errors = re.findall(r'<p class="field-error" id="([^"]+)-error">', body)
    assert sorted(errors) == sorted(_links(summary))
    for target in _links(summary):
        assert re.search(rf'<(input|select|textarea)[^>]*\bid="{target}"', body), target
    assert body.index('id="error-summary"') < body.index("<h1>")


def test_a_list_of_checkboxes_links_to_its_first_box(as_admin, directory):
    data = {"organization_id": str(directory.clinic.id), "name": "S", "status": "active"}
    url = f"/directory/manage/organizations/{directory.clinic.id}/services/new"
    body = post_form(as_admin, url, data).get_data(as_text=True)
    summary = _summary(body)
    assert "Types of service: Choose at least one type of service." in summary
    assert "types-0" in _links(summary)
    assert re.search(r'<input[^>]*id="types-0"', body)


def test_a_page_without_errors_has_no_summary(as_admin):
    body = as_admin.get("/directory/manage/organizations/new").get_data(as_text=True)
    assert "error-summary" not in body


class _Interview(Form):
    name = StringField("Name", validators=[DataRequired()])
    answer = RadioField("Answer", choices=[("yes", "Yes"), ("no", "No")])
    kinds = MultiCheckboxField("Kinds", choices=[])

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.form_errors.append("The interview overlaps another one.")
        return False


def test_form_level_errors_and_unlinkable_fields_are_listed(app, db_session):
    with app.test_request_context("/", method="POST", data={"answer": "maybe"}):
        form = _Interview(meta={"csrf": False})
        assert not form.validate()
        form.kinds.errors = ["Choose a kind."]  # a service's refusal: no box to link to
        body = render_template_string(PAGE, form=form)
    summary = _summary(body)
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert items[0] == "The interview overlaps another one."
    assert '<a href="#name">Name: This field is required.</a>' in summary
    assert '<a href="#answer-0">Answer: Not a valid choice.</a>' in summary
    assert "<li>Kinds: Choose a kind.</li>" in summary
    assert len(items) == 4


def test_forms_without_errors_add_nothing(app, db_session):
    with app.test_request_context("/"):
        form = _Interview(meta={"csrf": False})
        assert "error-summary" not in render_template_string(PAGE, form=form)


def test_messages_before_a_redirect_to_a_section_carry_it(app):
    with app.test_request_context("/"):
        session["_flashes"] = [("success", "From an earlier request.")]
        flash("Saved.", "success")
        flash("Check the dates.", "warning")
        feedback._land_with_redirect(redirect("/cases/1#notes"))
        assert session["_flashes"] == [
            ("success", "From an earlier request."),
            ("success#notes", "Saved."),
            ("warning#notes", "Check the dates."),
        ]


def test_messages_before_other_responses_stay_as_they_are(app):
    with app.test_request_context("/"):
        flash("Saved.", "success")
        feedback._land_with_redirect(redirect("/cases/1"))
        feedback._land_with_redirect(make_response("#notes"))  # not a redirect
        feedback._land_with_redirect(redirect("/cases/1#%3Cscript%3E"))
        assert session["_flashes"] == [("success", "Saved.")]


def test_a_section_takes_its_messages_and_leaves_the_others_on_top(app):
    with app.test_request_context("/"):
        flash("Top.", "success")
        flash("Inside.", "success#notes")
        flash("Elsewhere.", "error#plan")
        shown = section_flashes("notes")
        assert 'role="status">Inside.</div>' in shown and "Top." not in shown
        assert page_flashes() == [("success", "Top."), ("error", "Elsewhere.")]
