"""The figures pages' filter form (a GET query string: months and codes, never a name)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from casework.statistics import AGE_BANDS
from casework.vocabulary import CaseType, Sex, choices
from core.forms import Form, OptionalChoice
from core.i18n.fields import CountryField
from reports.tables import Filters

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def last_complete_month(today: date) -> date:
    """The first day of the month before ``today``'s."""
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def parse_month(value: str | None) -> date | None:
    """``YYYY-MM`` as the first day of that month; None for an empty value.

    Raises ValueError for anything else (a day, a month 13, a year outside 2000..2100)."""
    if not value:
        return None
    match = MONTH.match(value.strip())
    if not match:
        raise ValueError(value)
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(value)
    return date(year, month, 1)


class MonthField(StringField):
    """A month as ``YYYY-MM`` (the browser's month picker where it has one)."""

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("type", "month")
        kwargs.setdefault("pattern", r"\d{4}-\d{2}")
        kwargs.setdefault("placeholder", "YYYY-MM")
        return super().__call__(**kwargs)

    def pre_validate(self, form: Any) -> None:
        try:
            parse_month(self.data)
        except ValueError:
            raise ValidationError(
                _l("Enter a month as year and month (YYYY-MM) between 2000 and 2100.")
            ) from None

    @property
    def month(self) -> date | None:
        try:
            return parse_month(self.data)
        except ValueError:
            return None


def _any(options: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _l("Any")), *options]


class FiguresFilterForm(Form):
    """Period (from/to month), case type, sex, age band, nationality and, on the national
    page, an organisation (its choices are set by the page)."""

    class Meta:
        csrf = False

    start = MonthField(_l("From month"))
    end = MonthField(_l("To month"))
    case_type = SelectField(_l("Case type"), validators=[OptionalChoice()])
    sex = SelectField(_l("Sex"), validators=[OptionalChoice()])
    age_band = SelectField(_l("Age band"), validators=[OptionalChoice()])
    nationality = CountryField(_l("Nationality"), validators=[OptionalChoice()])
    organisation = SelectField(_l("Organisation"), validators=[OptionalChoice()])

    def __init__(
        self, *args: Any, organisations: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case_type.choices = _any(choices(CaseType))
        self.sex.choices = _any(choices(Sex))
        self.age_band.choices = _any([(band, band) for _low, _high, band in AGE_BANDS])
        self.with_organisation = organisations is not None
        self.organisation.choices = _any(list(organisations or []))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.with_organisation and self.organisation.data:
            self.organisation.errors = [_l("Not a valid choice.")]
            return False
        start, end = self.start.month, self.end.month
        if start and end and start > end:
            self.end.errors = [_l("The end of the period comes before its start.")]
            return False
        return True

    def period(self, today: date) -> tuple[date, date]:
        """(first month, last month): the last complete month when neither is given."""
        start, end = self.start.month, self.end.month
        if start is None and end is None:
            start = end = last_complete_month(today)
        return (start or end or today, end or start or today)

    def filters(self, today: date, organisation_ids: frozenset[uuid.UUID] | None) -> Filters:
        """The filters the figures count with; ``organisation_ids`` is the page's scope (the
        supervisor's own organisation, forced), or None for the national page, where the
        chosen organisation (if any) narrows it."""
        start, end = self.period(today)
        if self.with_organisation and self.organisation.data:
            organisation_ids = frozenset({uuid.UUID(self.organisation.data)})
        return Filters(
            start=start,
            end=end,
            organisation_ids=organisation_ids,
            case_type=self.case_type.data or None,
            sex=self.sex.data or None,
            age_band=self.age_band.data or None,
            nationality=self.nationality.data or None,
        )
