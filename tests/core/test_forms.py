"""OptionalChoice: a blank answer to an optional select is no answer, never a stored value."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField

from core.forms import OptionalChoice


class _Form(FlaskForm):
    class Meta:
        csrf = False

    sex = SelectField(choices=[("", "—"), ("female", "F")], validators=[OptionalChoice()])
    assent = RadioField(choices=[("yes", "Yes"), ("no", "No")], validators=[OptionalChoice()])


@pytest.mark.parametrize("blank", ["", " ", "\r", "\t\n"])
def test_blank_values_become_no_choice(app, blank):
    with app.test_request_context("/"):
        form = _Form(formdata=MultiDict({"sex": blank, "assent": blank}))
        assert form.validate()
        assert form.sex.data == "" and form.assent.data == ""


def test_unknown_values_are_still_refused(app):
    with app.test_request_context("/"):
        form = _Form(formdata=MultiDict({"sex": "robot", "assent": "maybe"}))
        assert not form.validate()
        assert form.sex.errors and form.assent.errors


def test_known_values_pass_and_missing_fields_are_fine(app):
    with app.test_request_context("/"):
        form = _Form(formdata=MultiDict({"sex": "female"}))
        assert form.validate()
        assert form.sex.data == "female" and not form.assent.data


def test_consent_form_with_a_blank_child_view_is_not_a_500(app, db_session, client):
    from core.permissions import Role
    from tests.casework.helpers import FARIDA, case_url, record_consent, register
    from tests.factories import make_account, make_organisation, sign_in

    agency = make_organisation(app, db_session, agency=True)
    worker = make_account(app, db_session, Role.CASEWORKER, organisation=agency)
    sign_in(client, worker, db_session)
    url = case_url(register(client, FARIDA))
    response = record_consent(
        client,
        url,
        {
            "basis": "consent",
            "purpose": "Referral",
            "given_by": "person",
            "child_assent": "\r",
            "method": "written",
            "given_on": "2026-10-02",
        },
    )
    assert response.status_code in (302, 400)
