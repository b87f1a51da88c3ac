"""Shared form helpers."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, SelectField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select
from wtforms.widgets.core import html_params

from core import form_messages
from core.exceptions import ServiceError


class FastSelect(Select):
    """WTForms' select widget with the common option written directly: the same HTML
    (attributes in WTForms' sorted order: ``<option selected value="v">label</option>``),
    about ten times faster. Nationality, country and time-zone lists have hundreds of options,
    and every registration, filter and account page renders them; an option with extra
    attributes or a value that is not text goes through WTForms' own rendering."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        """A plain list of ``(text value, label)`` pairs (the country, language, time-zone and
        list-entry choices) is written in one pass, without the per-option ``SelectChoice`` and
        ``Choice`` objects WTForms makes twice over; anything else (groups, option attributes,
        values that are not text, a field choosing or grouping its options itself) goes
        WTForms' way. What is selected is decided as the field's own ``iter_choices`` does."""
        base = _plain_base(field)
        choices = field.choices
        if base is None or not _plain(choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        coerce, data, many = field.coerce, field.data, base is SelectMultipleField
        if many:
            data = data or ()
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label in choices:
            chosen = coerce(value) in data if many else coerce(value) == data
            html.append(_option(value, label, chosen))
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 (every value and label escaped above)

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        value = choice.value
        if kwargs or choice.render_kw or type(value) is not str:
            # Markup values too: WTForms writes their quotes escaped in the attribute.
            return super().render_option(choice, **kwargs)
        return Markup(_option(value, choice.label, choice.selected))  # noqa: S704 (escaped)


#: What a field must take unchanged from SelectField or SelectMultipleField for the fast
#: path to stand in for WTForms: how it reads, groups and iterates its choices.
_CHOICE_METHODS = ("iter_choices", "has_groups", "iter_groups", "_choices_from_input")


def _plain_base(field: Any) -> type | None:
    """SelectField or SelectMultipleField, whichever ``field`` reads its choices as; None
    when it reads them any other way."""
    for base in (SelectField, SelectMultipleField):
        if all(getattr(type(field), n, None) is getattr(base, n) for n in _CHOICE_METHODS):
            return base
    return None


def _plain(choices: Any) -> bool:
    """Whether ``choices`` is a list of ``(text, label)`` pairs and nothing else."""
    return type(choices) is list and all(
        type(c) is tuple and len(c) == 2 and type(c[0]) is str for c in choices
    )


def _option(value: str, label: Any, selected: bool) -> str:
    """One option as WTForms writes it (``selected`` first: its attributes in sorted order),
    value and label escaped; an empty label shows the value."""
    text, value = _escaped(label or value), _escaped(value)
    if selected:
        return f'<option selected value="{value}">{text}</option>'
    return f'<option value="{value}">{text}</option>'


def _escaped(text: Any) -> str:
    """``markupsafe.escape`` as text: for plain text, its five replacements done directly
    (the same output, about a third of the cost: escaping was most of writing a long select);
    Markup, lazy labels and other values go through ``escape`` itself. Nothing is kept: a
    label may be someone's name."""
    if type(text) is not str:
        return str(escape(text))
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


# Every select and multiple select of Homeward's forms (and of the fields built on them)
# renders through FastSelect; a field given its own widget keeps it.
SelectField.widget = FastSelect()
SelectMultipleField.widget = FastSelect(multiple=True)


class Form(FlaskForm):
    """The base of every Homeward form: WTForms' own messages ("This field is required.",
    "Not a valid choice.") come in the user's language (see :mod:`core.form_messages`)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> form_messages.Translations:
            return form_messages.translations


class ConfirmForm(Form):
    """A form with nothing but its CSRF token: for buttons that change state by POST."""


class OptionalChoice:
    """``Optional()`` for select and radio fields: an empty or blank answer means "none".

    WTForms' ``Optional`` stops validation on a blank value (whitespace included) and clears
    the "not a valid choice" error, so " " or "\\r" would reach the code as a chosen value. This
    one also sets the data to ``""`` so callers see no choice at all.
    """

    field_flags = {"optional": True}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        raw = field.raw_data
        if not raw or (isinstance(raw[0], str) and not raw[0].strip()):
            field.data = ""
            field.errors[:] = []
            raise StopValidation()


class YearRange:
    """A date field's value must fall within these years (dates at the calendar's edge
    overflow as soon as anything adds a day to them)."""

    def __init__(self, first: int = 2000, last: int = 2100) -> None:
        self.first, self.last = first, last

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is not None and not self.first <= field.data.year <= self.last:
            raise ValidationError(
                _l(
                    "Enter a date between the years %(first)d and %(last)d.",
                    first=self.first,
                    last=self.last,
                )
            )


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_error(form: Any, exc: ServiceError) -> None:
    """Show a service's refusal next to its field, or as a message when it names none."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, _(str(exc.message))]
    else:
        flash(_(str(exc.message)), "error")


def parse_uuid(value: object) -> uuid.UUID | None:
    """The UUID written in ``value``, or None when it is empty or not a UUID."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
