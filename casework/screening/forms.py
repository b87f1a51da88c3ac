"""Screening and reflection-period forms."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from casework.forms import not_in_future
from casework.screening.services import (
    EARLIEST,
    MAXIMUM_REFLECTION_DAYS,
    reflection_days,
)
from casework.screening.vocabulary import (
    DecidingOrganisation,
    ExploitationType,
    IloIndicator,
    MeansOfControl,
    Outcome,
    choices,
)
from core.config import current_settings
from core.forms import Form, MultiCheckboxField
from core.i18n.fields import LocalDateField, LocalIntegerField


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
