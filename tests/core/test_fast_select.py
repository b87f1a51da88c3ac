"""FastSelect writes exactly the HTML of WTForms' own select widget, only faster."""

from __future__ import annotations

import pytest
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.widgets import Select

from core.forms import FastSelect

ODD = [
    ("plain", "Plain"),
    ("amp&", 'Quote " and <tag> & ampersand'),
    ("", "—"),
    ("empty-label", ""),
    ("dari", "دری"),
]


class _Form(Form):
    one = SelectField(choices=ODD)
    many = SelectMultipleField(choices=ODD)
    grouped = SelectField(choices={"Group <A>": [("a1", "A 1"), ("a2", "A 2")], "B": [("b", "B")]})
    decorated = SelectField(choices=[("x", "X", {"disabled": True}), ("y", "Y", {"data_k": "v"})])
    coded = SelectField(choices=[(1, "One"), (True, "Yes")], coerce=str)


def test_every_select_field_renders_through_fast_select():
    assert isinstance(SelectField.widget, FastSelect)
    assert isinstance(SelectMultipleField.widget, FastSelect)
    assert SelectMultipleField.widget.multiple


# The grouped field keeps WTForms' dict of groups on purpose: its <optgroup> HTML is compared.
@pytest.mark.filterwarnings("ignore:Passing SelectField choices in a dict:DeprecationWarning")
def test_the_html_is_wtforms_own():
    form = _Form(data={"one": "amp&", "many": ["plain", "dari"], "grouped": "a2", "decorated": "y"})
    for field in (form.one, form.grouped, form.decorated, form.coded):
        assert field() == Select()(field)
        assert field(class_="wide", required=True) == Select()(field, class_="wide", required=True)
    assert form.many() == Select(multiple=True)(form.many)
    assert '<option selected value="amp&amp;">Quote &#34; and &lt;tag&gt; &amp; ampersand' in str(
        form.one()
    )
    assert '<option value="empty-label">empty-label</option>' in str(form.one())


def test_nothing_selected_and_large_lists():
    choices = [(f"c{n}", f"Country {n}") for n in range(400)]

    class Big(Form):
        country = SelectField(choices=choices)

    form = Big()
    html = form.country()
    assert html == Select()(form.country)
    assert html.count("<option ") == 400 and "selected" not in html


def test_plain_lists_are_written_without_wtforms_choice_objects(monkeypatch):
    from wtforms.fields.choices import SelectChoice

    form = _Form(data={"one": "plain", "many": None})
    expected = (Select()(form.one), Select(multiple=True)(form.many))

    def refuse(*_args, **_kwargs):
        raise AssertionError("a SelectChoice was made for a plain list")

    monkeypatch.setattr(SelectChoice, "from_input", classmethod(refuse))
    assert (form.one(), form.many()) == expected
    assert "selected" not in str(form.many())


def test_callable_choices_and_a_field_choosing_its_own_options():
    from wtforms.fields.choices import Choice

    class EveryOneChosen(SelectField):
        def iter_choices(self):
            return [Choice(v, lbl, True, {}) for v, lbl in self.choices]

    class Odd(Form):
        later = SelectField(choices=lambda: [("a", "A"), ("b", "B & C")])
        own = EveryOneChosen(choices=[("x", "X"), ("y", "Y")])

    form = Odd(data={"later": "b", "own": "x"})
    assert form.later() == Select()(form.later)
    assert '<option selected value="b">B &amp; C</option>' in str(form.later())
    assert form.own() == Select()(form.own)
    assert str(form.own()).count("selected") == 2


def test_texts_are_escaped_as_markupsafe_does_and_nothing_is_kept():
    from markupsafe import Markup, escape

    from core import forms

    for text in ("Farida & <b>\"Nazari\"</b> 'x'", "&amp;", "دری", "", "plain"):
        assert forms._escaped(text) == str(escape(text))
    assert forms._escaped(Markup("<b>trusted</b>")) == "<b>trusted</b>"
    assert not [n for n, v in vars(forms).items() if isinstance(v, dict) and not n.startswith("__")]


def test_selected_is_decided_by_the_field_not_the_widget():
    class Mixed(Form):
        many = SelectMultipleField(choices=[("a", "A"), ("ab", "AB"), ("b", "B")])
        one = SelectField(choices=[("a", "A"), ("ab", "AB"), ("b", "B")])

    form = Mixed(data={"many": ["a", "b"], "one": "ab"})
    for widget, field in ((FastSelect(), form.many), (FastSelect(multiple=True), form.one)):
        expected = Select(multiple=widget.multiple)(field)
        assert widget(field) == expected
    assert str(FastSelect(multiple=True)(form.one)).count("selected") == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_field_grouping_its_options_itself_goes_wtforms_way():
    class Grouped(SelectField):
        def has_groups(self):
            return True

        def iter_groups(self):
            yield "Group <1>", list(self.iter_choices())

    class WithGroups(Form):
        pick = Grouped(choices=[("a", "A"), ("b", "B")])

    form = WithGroups(data={"pick": "b"})
    assert form.pick() == Select()(form.pick)
    assert '<optgroup label="Group &lt;1&gt;">' in str(form.pick())


def test_a_markup_value_keeps_its_quotes_escaped_in_the_attribute():
    from markupsafe import Markup
    from wtforms.fields.choices import Choice

    choice = Choice(Markup('a" onmouseover="x'), "A", False, {})
    assert FastSelect.render_option(choice) == Select.render_option(choice)
    assert 'onmouseover="x"' not in str(FastSelect.render_option(choice))
