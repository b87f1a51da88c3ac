"""The visit form and the administrator's survey-weights form, built from a survey version.

Both have one field per indicator of the version in force, so they are made per request.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from casework.forms import not_in_future
from casework.monitoring.scoring import MAX_ANSWERS, MAX_WEIGHT, Definition, asked_order
from casework.monitoring.services import EARLIEST
from casework.monitoring.vocabulary import (
    DIMENSION_LABELS,
    Dimension,
    dimension_label,
    item_answer_label,
    item_label,
    visit_type_choices,
)
from core.forms import Form, OptionalChoice
from core.i18n.fields import LocalDateField
from core.vocabulary import choices_in

ANSWER_PREFIX = "answer_"
WEIGHT_PREFIX = "weight_"
DIMENSION_PREFIX = "dimension_"


def not_too_early(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data < EARLIEST:
        raise ValidationError(_l("Check the year: this date is too far in the past."))


def weight_in_range(form: FlaskForm, field: FloatField) -> None:
    if field.data is None or not math.isfinite(field.data) or not 0 <= field.data <= MAX_WEIGHT:
        raise ValidationError(
            _l("Give a number from 0 to %(max)s (0 leaves it out).", max=int(MAX_WEIGHT))
        )


class VisitForm(Form):
    visited_on = LocalDateField(
        _l("Date of the visit"),
        default=date.today,
        validators=[InputRequired(), not_in_future, not_too_early],
    )
    visit_type = SelectField(
        _l("Type of visit"),
        choices=[("", "—"), *visit_type_choices()],
        validators=[DataRequired(message=_l("Choose the type of visit."))],
    )
    notes = TextAreaField(
        _l("Notes on the visit"),
        validators=[Optional(), Length(max=10000)],
        description=_l("What changed since the last visit and what the person needs next."),
    )

    def answer_fields(self) -> list[Any]:
        return [f for f in self if f.name.startswith(ANSWER_PREFIX)]

    def answers(self) -> dict[str, str]:
        """Indicator code -> answer code, for the questions answered."""
        return {f.name.removeprefix(ANSWER_PREFIX): f.data for f in self.answer_fields() if f.data}


def visit_form(definition: Definition, **kwargs: Any) -> VisitForm:
    """A visit form asking every indicator of ``definition`` in the order asked, each as a
    group of radio buttons: its answers as listed, then "not asked" (chosen at first)."""

    class _Form(VisitForm):
        pass

    for item in asked_order(definition):
        if float(item["weight"]) <= 0:
            continue
        choices = [
            *((answer, item_answer_label(item, answer)) for answer, _value in item["answers"]),
            ("", _l("Not asked or no answer")),
        ]
        field = RadioField(
            item_label(item), choices=choices, default="", validators=[OptionalChoice()]
        )
        setattr(_Form, ANSWER_PREFIX + item["code"], field)
    return _Form(**kwargs)


def survey_sections(form: VisitForm, definition: Definition) -> list[tuple[str, list[Any]]]:
    """(dimension, its questions' fields) in the order the survey asks them."""
    sections: dict[str, list[Any]] = {}
    for item in asked_order(definition):
        name = ANSWER_PREFIX + item["code"]
        if name in form:
            sections.setdefault(item["dimension"], []).append(form[name])
    return list(sections.items())


def known_version(form: FlaskForm, field: HiddenField) -> None:
    value = str(field.data or "")
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise ValidationError(_l("Reload the page and try again."))


class SurveyWeightsForm(Form):
    based_on = HiddenField(validators=[known_version])
    official = BooleanField(
        _l("These are official, calibrated weights"),
        description=_l("Leave unticked while the weights are not calibrated."),
    )

    def indicator_weights(self) -> dict[str, float]:
        return {
            f.name.removeprefix(WEIGHT_PREFIX): float(f.data)
            for f in self
            if f.name.startswith(WEIGHT_PREFIX)
        }

    def dimension_weights(self) -> dict[str, float]:
        return {
            f.name.removeprefix(DIMENSION_PREFIX): float(f.data)
            for f in self
            if f.name.startswith(DIMENSION_PREFIX)
        }


def survey_weights_form(definition: Definition, **kwargs: Any) -> SurveyWeightsForm:
    """The weights form for every dimension and indicator of ``definition``."""

    class _Form(SurveyWeightsForm):
        pass

    for dimension in definition["dimensions"]:
        setattr(
            _Form,
            DIMENSION_PREFIX + dimension,
            FloatField(dimension_label(dimension), validators=[weight_in_range]),
        )
    for item in definition["indicators"]:
        setattr(
            _Form,
            WEIGHT_PREFIX + item["code"],
            FloatField(item_label(item), validators=[weight_in_range]),
        )
    return _Form(**kwargs)


def fill_weights(form: SurveyWeightsForm, definition: Definition, number: int) -> None:
    """Show the weights of the version in force (on the first GET)."""
    form.based_on.data = str(number)
    for dimension, weight in definition["dimensions"].items():
        form[DIMENSION_PREFIX + dimension].data = weight
    for item in definition["indicators"]:
        form[WEIGHT_PREFIX + item["code"]].data = item["weight"]


def printable(form: FlaskForm, field: StringField) -> None:
    """Labels are shown to everyone as written: no control characters (tabs and lines apart)."""
    if any((ord(c) < 32 and c not in "\r\n\t") or ord(c) == 127 for c in field.data or ""):
        raise ValidationError(_l("Remove the control characters."))


def _answer_lines(form: FlaskForm, field: TextAreaField) -> None:
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if not 2 <= len(lines) <= MAX_ANSWERS:
        raise ValidationError(_l("Give from 2 to %(n)s answers, one per line.", n=MAX_ANSWERS))
    if any(len(line) > 100 for line in lines):
        raise ValidationError(_l("Keep each answer under 100 characters."))
    if len(set(lines)) != len(lines):
        raise ValidationError(_l("Each answer appears once."))


class AddIndicatorForm(Form):
    """An indicator the default survey lacks; its labels are shown as written (not translated)."""

    based_on = HiddenField(validators=[known_version])
    dimension = SelectField(
        _l("Dimension"),
        choices=[("", "—"), *choices_in(DIMENSION_LABELS, Dimension)],
        validators=[DataRequired(message=_l("Choose the dimension."))],
    )
    question = StringField(
        _l("Question"),
        validators=[
            DataRequired(message=_l("Write the question.")),
            Length(min=3, max=200),
            printable,
        ],
        description=_l("Shown as written, in every language. No names or case details."),
    )
    answers = TextAreaField(
        _l("Answers, one per line, from least to most sustainable"),
        validators=[DataRequired(message=_l("Write the answers.")), printable, _answer_lines],
        description=_l("They count from 0 to 1, evenly spaced: three answers count 0, 0.5 and 1."),
    )

    def answer_labels(self) -> list[str]:
        return [line.strip() for line in (self.answers.data or "").splitlines() if line.strip()]
