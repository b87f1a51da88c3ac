"""Form fields for a reader of any locale: country and language pickers, dates in their
calendar and digits, whole numbers in any digits.

Stored values do not change: ISO codes, Gregorian dates, integers with Latin digits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import Input

from core.i18n import calendars
from core.i18n.dates import calendar_of
from core.i18n.digits import localise, numbering_system, to_ascii
from core.i18n.names import (
    country_choices,
    current_locale,
    is_country,
    is_language,
    language_choices,
    language_name,
)


def _country_options() -> list[tuple[str, str]]:
    return [("", "—"), *country_choices()]


def _language_options(form: Any, field: Any) -> list[tuple[str, str]]:
    """The common languages, and any other code the field holds (a three-letter one)."""
    offered = language_choices()
    known = {code for code, _name in offered}
    held = [code for code in field.data or [] if isinstance(code, str) and code not in known]
    return offered + [(code, language_name(code)) for code in held if is_language(code)]


def local_digits_in_inputs() -> bool:
    """Whether the reader types in a text box rather than the browser's date or number box
    (which take neither Solar Hijri dates nor Persian or Arabic-Indic digits)."""
    loc = current_locale()
    return calendar_of(loc) == calendars.SOLAR_HIJRI or numbering_system(loc) != "latn"


def ascii_digits(value: Any) -> Any:
    """A WTForms filter: Persian and Arabic-Indic digits typed into a text field as 0-9."""
    return to_ascii(value) if isinstance(value, str) else value


class CountryField(SelectField):
    """A country picker: names in the reader's language, sorted; the value is the ISO code."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, choices=_country_options, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = str(valuelist[0]).upper()  # "xk" is XK; "XK\n" stays unknown

    def pre_validate(self, form: Any) -> None:
        if self.data and not (is_country(self.data) and self.data.isalpha()):
            raise ValidationError(_("Choose a country from the list."))


class LanguagesField(SelectMultipleField):
    """Several languages picked by name; the values are ISO 639 codes."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, choices=_language_options, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if any(not is_language(code) for code in self.data or []):
            raise ValidationError(_("Choose languages from the list."))


class _LocalInput(Input):
    """``type=date``/``number`` for Latin-digit Gregorian readers, else a text box."""

    validation_attrs = ["required"]

    def __init__(self, native: str, placeholder: Any = None) -> None:
        super().__init__(native)
        self.native, self.placeholder = native, placeholder

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        if local_digits_in_inputs():
            kwargs["type"] = "text"
            if self.placeholder is not None:
                kwargs.setdefault("placeholder", localise(str(self.placeholder)))
            kwargs.setdefault("autocomplete", "off")
        else:
            kwargs["type"] = self.native
        return super().__call__(field, **kwargs)


def date_placeholder() -> str:
    if calendar_of(current_locale()) == calendars.SOLAR_HIJRI:
        return _("yyyy/mm/dd")
    return _("yyyy-mm-dd")


class _Placeholder:
    def __str__(self) -> str:
        return date_placeholder()


class LocalDateField(DateField):
    """A date typed in the reader's calendar (Solar Hijri yyyy/mm/dd) or ISO, in any digits;
    the data is a Gregorian ``date``."""

    widget = _LocalInput("date", _Placeholder())

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = " ".join(str(v) for v in valuelist or []).strip(" ")
        if not text:
            self.data = None
            return
        calendar = calendar_of(current_locale())
        try:
            self.data = calendars.parse_date(text, calendar)
        except calendars.DateInputError as exc:
            self.data = None
            raise ValueError(
                _("Not a valid date: write it as %(format)s.", format=localise(date_placeholder()))
            ) from exc

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(str(v) for v in self.raw_data)
        if not isinstance(self.data, date):
            return ""
        if not local_digits_in_inputs():
            return self.data.isoformat()
        return localise(calendars.input_value(self.data, calendar_of(current_locale())))


class LocalIntegerField(IntegerField):
    """A whole number in any digits."""

    widget = _LocalInput("number")

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata([to_ascii(str(v)) for v in valuelist or []])

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return localise(str(self.data)) if local_digits_in_inputs() else str(self.data)


class LocalYearField(LocalIntegerField):
    """A year; a Solar Hijri reader may give a Solar Hijri year (1370 is stored as 1991,
    the Gregorian year in which most of it falls)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = " ".join(str(v) for v in valuelist or []).strip(" ")
        if not text:
            self.data = None
            return
        try:
            self.data = calendars.parse_year(text, calendar_of(current_locale()))
        except calendars.DateInputError as exc:
            self.data = None
            raise ValueError(_("Enter a year, e.g. %(example)s.", example="1991")) from exc

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        if calendar_of(current_locale()) == calendars.SOLAR_HIJRI:
            return localise(str(self.data - calendars.YEAR_OFFSET))
        return str(self.data)


def _zone_options() -> list[tuple[str, str]]:
    from core.i18n.dates import time_zone_choices

    return [("", "—"), *time_zone_choices()]


class TimeZoneField(SelectField):
    """A time zone picker (zoneinfo names, the common ones first); blank means the default."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, choices=_zone_options, **kwargs)

    def pre_validate(self, form: Any) -> None:
        from core.i18n.dates import is_time_zone

        if self.data and not is_time_zone(self.data):
            raise ValidationError(_("Choose a time zone from the list."))
