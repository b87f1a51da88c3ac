"""Referral forms: the service filter, the referral itself, and the provider's answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casework.forms import not_in_future
from core.forms import Form, MultiCheckboxField, OptionalChoice, YearRange
from core.i18n.fields import LocalDateField
from core.i18n.names import language_choices
from core.lists.fields import TermSelectField
from referrals import sharing
from referrals.directory.vocabulary import SERVICE_TYPES
from referrals.vocabulary import DECLINE_REASONS, ReferralState, Urgency, choices

LONG = 4000


class ServiceFilterForm(Form):
    """GET filters for choosing a service (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    kind = TermSelectField(
        _l("Type of service"),
        list_name=SERVICE_TYPES,
        blank=_l("Any type"),
        validators=[OptionalChoice()],
    )
    area = StringField(_l("Area served"), validators=[Optional(), Length(max=100)])
    language = SelectField(
        _l("Language"),
        choices=lambda: [("", _l("Any language")), *language_choices()],
        validators=[OptionalChoice()],
    )
    provider = SelectField(_l("Provider"), choices=[], validators=[OptionalChoice()])


class ReferralForm(Form):
    urgency = RadioField(_l("Urgency"), choices=choices(Urgency), default=Urgency.ROUTINE.value)
    respond_by = LocalDateField(
        _l("Answer due by (optional)"),
        validators=[Optional()],
        description=_l("Leave empty for the usual time for this urgency."),
    )
    reason = TextAreaField(
        _l("Why you refer the person"),
        validators=[DataRequired(message=_l("Say why you refer the person.")), Length(max=LONG)],
        description=_l("The provider reads this. Write only what they need."),
    )
    legal_basis = RadioField(
        _l("Legal basis for sharing"),
        choices=[],
        validators=[DataRequired(message=_l("Choose the legal basis this referral relies on."))],
    )
    justification = TextAreaField(
        _l("Why this basis allows sharing with this provider"),
        validators=[Optional(), Length(max=LONG)],
        description=_l("Required when the basis is not the person's consent."),
    )
    # No Optional() on lists: it stops validation at the first empty value.
    fields = MultiCheckboxField(
        _l("Fields to share"),
        choices=sharing.field_choices(),
        description=_l("Share only what the provider needs. They see these and nothing else."),
    )
    plan_action = SelectField(
        _l("Plan action this referral carries out (optional)"),
        choices=[],
        validators=[OptionalChoice()],
        validate_choice=False,
    )
    referrer_contact = StringField(
        _l("Your contact for the provider"),
        validators=[Optional(), Length(max=300)],
        description=_l("Name, organisation and e-mail or phone of the person to ask."),
    )


class AcceptForm(Form):
    expected_completion = LocalDateField(
        _l("Expected completion (optional)"), validators=[Optional(), YearRange()]
    )


class DeclineForm(Form):
    reason_code = TermSelectField(
        _l("Reason"),
        list_name=DECLINE_REASONS,
        blank=_l("Choose a reason"),
        validators=[DataRequired(message=_l("Choose the reason you decline."))],
        description=_l("Counted, without names, in the figures on referrals."),
    )
    reason = TextAreaField(
        _l("Why you decline"),
        validators=[DataRequired(message=_l("Say why you decline.")), Length(max=LONG)],
        description=_l("The referrer reads this to find another service."),
    )


class CompleteForm(Form):
    outcome = TextAreaField(
        _l("Outcome"),
        validators=[DataRequired(message=_l("Describe the outcome.")), Length(max=LONG)],
    )
    outcome_date = LocalDateField(
        _l("Date of the outcome"),
        validators=[DataRequired(message=_l("Give the date of the outcome.")), not_in_future],
    )


class NotCompletedForm(Form):
    reason = TextAreaField(
        _l("Why the service was not completed"),
        validators=[
            DataRequired(message=_l("Say why the service was not completed.")),
            Length(max=LONG),
        ],
    )


class MarkActionDoneForm(Form):
    """One click: the plan action a completed referral carried out is done. ``seen`` is the
    status the page showed, so a change made meanwhile is not overwritten unseen."""

    action = HiddenField(validators=[DataRequired()])
    seen = HiddenField(validators=[DataRequired()])


class CancelForm(Form):
    reason = TextAreaField(
        _l("Why you cancel"),
        validators=[DataRequired(message=_l("Say why you cancel.")), Length(max=LONG)],
    )


class InboxFilterForm(Form):
    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=[("", _l("Any state")), *choices(ReferralState)],
        validators=[OptionalChoice()],
    )
    urgency = SelectField(
        _l("Urgency"),
        choices=[("", _l("Any urgency")), *choices(Urgency)],
        validators=[OptionalChoice()],
    )
    overdue = SelectField(
        _l("Overdue"),
        choices=[("", _l("All")), ("yes", _l("Only overdue"))],
        validators=[OptionalChoice()],
    )
