"""Shared form helpers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import StopValidation


class ConfirmForm(FlaskForm):
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
