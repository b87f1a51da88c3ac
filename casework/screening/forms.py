"""Screening, trafficking-story and reflection-period forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from casework.forms import not_in_future
from casework.screening.services import EARLIEST, MAXIMUM_REFLECTION_DAYS, reflection_days
from casework.screening.story_services import MAXIMUM_EXPLOITATION_MONTHS, parse_month
from casework.screening.vocabulary import (
    BorderCrossing,
    Cooperation,
    DecidingOrganisation,
    ExploitationSector,
    ExploitationType,
    IloIndicator,
    MeansOfControl,
    Outcome,
    RecruiterRelation,
    RecruitmentMethod,
    choices,
)
from core.config import current_settings
from core.forms import Form, MultiCheckboxField, OptionalChoice
from core.i18n.fields import LocalDateField, LocalIntegerField, ascii_digits
from core.i18n.names import country_choices, is_country


def not_too_early(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data < EARLIEST:
        raise ValidationError(_l("Check the year: this date is too far in the past."))


class ScreeningForm(Form):
    screened_on = LocalDateField(
        _l("Date of the screening"),
        default=date.today,
        validators=[InputRequired(), not_in_future, not_too_early],
    )
    # No Optional() on lists: it stops validation when the first value is empty, letting
    # unknown values through.
    indicators = MultiCheckboxField(
        _l("ILO indicators of forced labour"), choices=choices(IloIndicator)
    )
    means_of_control = MultiCheckboxField(_l("Means of control"), choices=choices(MeansOfControl))
    exploitation_types = MultiCheckboxField(
        _l("Types of exploitation"), choices=choices(ExploitationType)
    )
    notes = TextAreaField(
        _l("Notes on the screening"),
        validators=[Optional(), Length(max=10000)],
        description=_l("Only what the decision needs; the person's story belongs in case notes."),
    )
    outcome = RadioField(
        _l("Outcome"),
        choices=choices(Outcome),
        validators=[InputRequired(message=_l("Choose the outcome."))],
    )
    deciding_organisation_type = SelectField(
        _l("Who decided"),
        choices=[("", "—"), *choices(DecidingOrganisation)],
        validators=[DataRequired(message=_l("Choose who decided."))],
    )


class ReflectionForm(Form):
    starts_on = LocalDateField(
        _l("Start (the day there were reasonable grounds)"),
        default=date.today,
        validators=[InputRequired(), not_in_future, not_too_early],
    )
    days = LocalIntegerField(
        _l("Length in days"),
        validators=[InputRequired(message=_l("Give the number of days."))],
    )

    def validate_days(self, field: IntegerField) -> None:
        minimum = reflection_days(current_settings().casework.reflection_period_days)
        if field.data is not None and field.data < minimum:
            raise ValidationError(_l("The period is at least %(days)s days.", days=minimum))
        if field.data is not None and field.data > MAXIMUM_REFLECTION_DAYS:
            raise ValidationError(
                _l("The period is at most %(days)s days.", days=MAXIMUM_REFLECTION_DAYS)
            )


# -- the trafficking story -------------------------------------------------------------------


class CountriesField(SelectMultipleField):
    """Several countries picked by name (the list the nationality picker offers); the values
    are ISO 3166 alpha-2 codes."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, choices=country_choices, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v).upper() for v in valuelist or []]

    def pre_validate(self, form: Any) -> None:
        if any(not (is_country(c) and c.isalpha() and c.isascii()) for c in self.data or []):
            raise ValidationError(_l("Choose a country from the list."))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def a_month(form: FlaskForm, field: StringField) -> None:
    """``YYYY-MM`` (digits in any script), not before 1900 and not in the future."""
    if not field.data:
        field.data = None
        return
    parsed = parse_month(field.data)
    if parsed is None:
        raise ValidationError(_l("Give the month as YYYY-MM, for example 2024-03."))
    today = date.today()
    if parsed < (EARLIEST.year, 1):
        raise ValidationError(_l("Check the year: this month is too far in the past."))
    if parsed > (today.year, today.month):
        raise ValidationError(_l("The month cannot be in the future."))


def MonthField(label: Any) -> StringField:
    return StringField(
        label,
        filters=[ascii_digits, _strip],
        validators=[Length(max=7), a_month],
        description=_l("Year and month, YYYY-MM; no day."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": "YYYY-MM"},
    )


class StoryForm(Form):
    """One version of the trafficking story (HTCDS codes); every field may stay empty."""

    version = HiddenField(default="0")
    recruitment_methods = MultiCheckboxField(
        _l("How the person was recruited"), choices=choices(RecruitmentMethod)
    )
    recruiter_relation = RadioField(
        _l("The recruiter was the person's"),
        choices=choices(RecruiterRelation),
        validators=[OptionalChoice()],
    )
    recruited_month = MonthField(_l("Month of recruitment"))
    origin_countries = CountriesField(_l("Countries of origin"))
    transit_countries = CountriesField(_l("Countries of transit"))
    exploitation_countries = CountriesField(_l("Countries of exploitation"))
    departed_month = MonthField(_l("Month the person left the country of origin"))
    border_crossings = MultiCheckboxField(
        _l("How borders were crossed"), choices=choices(BorderCrossing)
    )
    exploitation_types = MultiCheckboxField(
        _l("Types of exploitation"), choices=choices(ExploitationType)
    )
    exploitation_sectors = MultiCheckboxField(
        _l("Sectors of exploitation"), choices=choices(ExploitationSector)
    )
    exploitation_started_month = MonthField(_l("Month the exploitation started"))
    exploitation_ended_month = MonthField(_l("Month the exploitation ended"))
    exploitation_months = LocalIntegerField(
        _l("How long the exploitation lasted, in months"),
        validators=[Optional()],
        description=_l("Left empty, it is counted from the months of start and end."),
    )
    means_of_control = MultiCheckboxField(_l("Means of control"), choices=choices(MeansOfControl))
    cooperation = RadioField(
        _l("Cooperation with law enforcement"),
        choices=choices(Cooperation),
        validators=[OptionalChoice()],
    )

    def validate_version(self, field: HiddenField) -> None:
        if not str(field.data or "").isdigit() or len(str(field.data)) > 6:
            raise ValidationError(_l("Reload the page and try again."))

    def validate_exploitation_months(self, field: IntegerField) -> None:
        # Not NumberRange: it turns the number into a float, which fails on a huge one.
        if field.data is not None and not 0 <= field.data <= MAXIMUM_EXPLOITATION_MONTHS:
            raise ValidationError(
                _l(
                    "Give a number of months between 0 and %(most)s.",
                    most=MAXIMUM_EXPLOITATION_MONTHS,
                )
            )

    def validate_exploitation_ended_month(self, field: StringField) -> None:
        started = self.exploitation_started_month.data
        valid_start = started and not self.exploitation_started_month.errors
        if field.data and valid_start and field.data < started:
            raise ValidationError(_l("The exploitation cannot end before it started."))
