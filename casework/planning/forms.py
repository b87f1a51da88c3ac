"""Assessment and plan forms. There is no stage field anywhere: the work moves the stage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from casework.forms import not_in_future
from casework.planning.assessments import EARLIEST
from casework.planning.vocabulary import ActionStatus, Dimension, choices
from casework.vocabulary import RiskLevel
from casework.vocabulary import choices as case_choices
from core import form_messages
from core.forms import Form, YearRange
from core.i18n.fields import LocalDateField

LONG = 10000


def not_too_early(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data < EARLIEST:
        raise ValidationError(_l("Check the year: this date is too far in the past."))


def _text(label: object, description: object) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=LONG)], description=description)


def _risk(label: object) -> SelectField:
    return SelectField(
        label,
        choices=[("", "—"), *case_choices(RiskLevel)],
        validators=[InputRequired(message=_l("Choose a risk level."))],
    )


class AssessmentForm(Form):
    assessed_on = LocalDateField(
        _l("Date of the assessment"),
        default=date.today,
        validators=[InputRequired(), not_in_future, not_too_early],
    )
    economic_needs = _text(_l("Economic needs"), _l("Income, work, skills, housing costs, debts."))
    economic_strengths = _text(_l("Economic strengths"), None)
    economic_risks = _text(_l("Economic risks"), None)
    economic_risk_level = _risk(_l("Economic risk level"))
    social_needs = _text(
        _l("Social needs"), _l("Housing, documents, schooling, health care, family, community.")
    )
    social_strengths = _text(_l("Social strengths"), None)
    social_risks = _text(_l("Social risks"), None)
    social_risk_level = _risk(_l("Social risk level"))
    psychosocial_needs = _text(
        _l("Psychosocial needs"), _l("Well-being, trauma, stigma, support from others.")
    )
    psychosocial_strengths = _text(_l("Psychosocial strengths"), None)
    psychosocial_risks = _text(_l("Psychosocial risks"), None)
    psychosocial_risk_level = _risk(_l("Psychosocial risk level"))
    overall_risk_level = RadioField(
        _l("Overall risk level"),
        choices=case_choices(RiskLevel),
        validators=[InputRequired(message=_l("Choose the overall risk level."))],
        description=_l("This becomes the risk level of the case."),
    )


class ActionForm(Form):
    version = HiddenField()
    dimension = SelectField(
        _l("Dimension"),
        choices=choices(Dimension),
        validators=[InputRequired(message=_l("Choose the dimension."))],
    )
    description = TextAreaField(
        _l("What is to be done"),
        validators=[InputRequired(message=_l("Say what is to be done.")), Length(max=2000)],
    )
    responsible_user = SelectField(
        _l("Responsible staff member"),
        choices=[],
        # No Optional(): it would clear the "not a valid choice" error of whitespace.
        description=_l("Or leave empty and name the person or provider below."),
    )
    responsible_other = StringField(
        _l("Or: responsible person or provider"), validators=[Optional(), Length(max=200)]
    )
    due_on = LocalDateField(
        _l("Due date"),
        validators=[InputRequired(message=_l("Give the due date.")), not_too_early, YearRange()],
    )
    status = SelectField(_l("Status"), choices=choices(ActionStatus), validators=[InputRequired()])


class ActionStatusForm(Form):
    status = SelectField(_l("Status"), choices=choices(ActionStatus), validators=[InputRequired()])


class VersionForm(Form):
    """Submit the plan, or remove an action: only the version the page showed."""

    version = HiddenField()


class ReviewForm(Form):
    version = HiddenField()
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve the plan")), ("return", _l("Return it with comments"))],
        validators=[InputRequired(message=_l("Choose to approve or return the plan."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=LONG)],
        description=_l("Needed when you return the plan: say what needs to change."),
    )

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_l("Say what needs to change before the plan can be approved."))


# Several actions in rows, on the plan page ----------------------------------------------------

#: Rows the plan page offers at first, adds per "Add more rows", and takes at most.
ROWS_SHOWN = 3
MAX_ROWS = 30


def skip_blank_row(form: ActionRow, field: Any) -> None:
    """A row left empty is no action: none of its fields is checked."""
    if form.is_blank():
        raise StopValidation()


class Needed:
    """A value this row needs once anything in it is filled in (no ``required`` flag: the
    browser and screen readers must not call an empty row's fields required)."""

    def __init__(self, message: object) -> None:
        self.message = message

    def __call__(self, form: ActionRow, field: Any) -> None:
        if not any(str(value).strip() for value in field.raw_data or []):
            raise StopValidation(self.message)


class ActionRow(PlainForm):
    """One action in the rows form (a status is not asked: a new action is planned)."""

    class Meta:
        def get_translations(self, form: Any) -> form_messages.Translations:
            return form_messages.translations

    dimension = SelectField(
        _l("Dimension"),
        choices=[("", "—"), *choices(Dimension)],
        default="",
        validators=[skip_blank_row, Needed(_l("Choose the dimension."))],
    )
    description = TextAreaField(
        _l("What is to be done"),
        validators=[skip_blank_row, Needed(_l("Say what is to be done.")), Length(max=2000)],
    )
    responsible_user = SelectField(
        _l("Responsible staff member"), choices=[], default="", validators=[skip_blank_row]
    )
    responsible_other = StringField(
        _l("Or: responsible person or provider"), validators=[skip_blank_row, Length(max=200)]
    )
    due_on = LocalDateField(
        _l("Due date"),
        validators=[
            skip_blank_row,
            Needed(_l("Give the due date.")),
            not_too_early,
            YearRange(),
        ],
    )

    def is_blank(self) -> bool:
        return all(not str(value).strip() for f in self for value in f.raw_data or [])

    def validate_responsible_other(self, field: StringField) -> None:
        if not self.responsible_user.data and not (field.data or "").strip():
            raise ValidationError(
                _l("Choose a staff member or name the person or provider responsible.")
            )


class RowList(FieldList):
    """Rows numbered in ASCII digits only: ``int()`` refuses "²", which ``isdigit()`` accepts."""

    def _extract_indices(self, prefix: str, formdata: Any) -> Iterator[int]:
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit() and len(index) <= 3:
                    yield int(index)


class ActionRowsForm(Form):
    """Several new actions, saved together or not at all."""

    version = HiddenField()
    rows = RowList(FormField(ActionRow), min_entries=ROWS_SHOWN, max_entries=MAX_ROWS)

    def filled_rows(self) -> list[tuple[int, ActionRow]]:
        """(position, row) of each row with something in it."""
        return [(n, entry.form) for n, entry in enumerate(self.rows) if not entry.form.is_blank()]

    def has_room(self) -> bool:
        return len(self.rows) < MAX_ROWS

    def add_rows(self, staff: list[tuple[str, str]]) -> None:
        """Offer more empty rows (up to the most one save takes)."""
        for _n in range(ROWS_SHOWN):
            if len(self.rows) < MAX_ROWS:
                self.rows.append_entry()
        self.offer_staff(staff)

    def offer_staff(self, staff: list[tuple[str, str]]) -> None:
        for entry in self.rows:
            entry.form.responsible_user.choices = [("", "—"), *staff]
