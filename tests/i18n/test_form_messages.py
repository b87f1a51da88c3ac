"""WTForms' own messages come in the user's language: every form derives from
core.forms.Form, whose translations look in Homeward's catalogue, then in WTForms' own."""

from __future__ import annotations

import re
import unicodedata

import pytest
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from core.form_messages import translations
from core.forms import Form


class _Sample(Form):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired()])
    code = StringField("Code", validators=[Length(max=3)])
    kind = SelectField("Kind", choices=[("a", "A")])


def _script(text: str, script: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith(script) for c in letters)


def _errors(app, accept_language: str) -> dict[str, list[str]]:
    data = {"name": "", "code": "ABCDE", "kind": "z"}
    with app.test_request_context(
        "/", method="POST", data=data, headers={"Accept-Language": accept_language}
    ):
        form = _Sample()
        assert not form.validate()
        return {k: [str(e) for e in v] for k, v in form.errors.items()}


@pytest.mark.parametrize(("language", "script"), [("fa-AF", "ARABIC"), ("ru", "CYRILLIC")])
def test_wtforms_messages_in_the_user_language(app, language, script):
    errors = _errors(app, language)
    assert set(errors) == {"name", "code", "kind"}
    for field, messages in errors.items():
        for message in messages:
            assert _script(re.sub(r"\d+", "", message), script), (field, message)


def test_wtforms_messages_in_english_by_default(app):
    errors = _errors(app, "en")
    assert errors["name"] == ["This field is required."]
    assert errors["kind"] == ["Not a valid choice."]
    assert errors["code"] == ["Field cannot be longer than 3 characters."]


def test_plural_wtforms_messages_follow_the_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        one = translations.ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            1,
        )
        five = translations.ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            5,
        )
    assert "%(max)d" in one and "%(max)d" in five
    assert _script(re.sub(r"%\(max\)d", "", five), "CYRILLIC")


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(c) for c in found)) if found else found


def test_every_homeward_form_derives_from_the_translating_base(app):
    roots = ("core.", "auth.", "audit.", "casework.", "referrals.")
    forms = [c for c in _subclasses(FlaskForm) if c.__module__.startswith(roots)]
    assert len(forms) > 40
    strays = sorted(f"{c.__module__}.{c.__name__}" for c in forms if not issubclass(c, Form))
    assert strays == []


def test_the_base_form_answers_with_homeward_translations(app):
    with app.test_request_context("/"):
        form = _Sample()
        assert form.meta.get_translations(form) is translations
