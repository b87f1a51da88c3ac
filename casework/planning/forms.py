"""Assessment and plan forms. There is no stage field anywhere: the work moves the stage."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from casework.forms import not_in_future
from casework.planning.assessments import EARLIEST
from casework.planning.vocabulary import ActionStatus, Dimension, choices
from casework.vocabulary import RiskLevel
from casework.vocabulary import choices as case_choices
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
