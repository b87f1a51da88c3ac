"""The legal-basis and withdrawal forms. Which fields are required depends on the basis."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from casework.consent.services import EARLIEST
from casework.consent.vocabulary import (
    SERVICE_TYPES,
    ChildAssent,
    ConsentMethod,
    GivenBy,
    LegalBasis,
    choices,
)
from casework.forms import not_in_future
from core.forms import Form, MultiCheckboxField, OptionalChoice
from core.i18n.fields import LocalDateField
from core.lists.fields import TermMultiField

LONG = 4000


def not_too_early(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data < EARLIEST:
        raise ValidationError(_l("Check the year: this date is too far in the past."))


class LegalBasisForm(Form):
    """A legal basis. ``child`` (set by the page) says whether the person is a child: the
    guardian and the child's view are asked only then; None (age unknown) keeps them optional,
    and consent is the person's own unless said otherwise."""

    child: bool | None = None

    basis = RadioField(
        _l("Legal basis"), choices=choices(LegalBasis), default=LegalBasis.CONSENT.value
    )
    # Consent
    purpose = TextAreaField(
        _l("What the consent is for"),
        validators=[Optional(), Length(max=LONG)],
        description=_l("In plain words, as it was explained to the person."),
    )
    given_by = RadioField(
        _l("Who gave it"), choices=choices(GivenBy), validators=[OptionalChoice()]
    )
    guardian_name = StringField(
        _l("Name of the parent or guardian"), validators=[Optional(), Length(max=200)]
    )
    #: The parents or guardians of the child's household (``guardians_asking``; set by the
    #: page): choosing one records their name as the guardian's.
    guardian_choice = SelectField(
        _l("Parent or guardian in the household"), choices=[], validators=[OptionalChoice()]
    )
    child_assent = RadioField(
        _l("The child's own view"), choices=choices(ChildAssent), validators=[OptionalChoice()]
    )
    method = SelectField(
        _l("How it was given"),
        choices=[("", "—"), *choices(ConsentMethod)],
        validators=[OptionalChoice()],
    )
    given_on = LocalDateField(
        _l("Date given"), validators=[Optional(), not_in_future, not_too_early]
    )
    # Other bases
    justification = TextAreaField(
        _l("Why this basis applies"),
        validators=[Optional(), Length(max=LONG)],
        description=_l("Required for vital interest, public interest or legal obligation."),
    )
    # Scope of sharing
    any_provider = BooleanField(_l("Any provider organisation"))
    # No Optional() on lists: it stops validation when the first value is empty, letting
    # unknown values through.
    organisations = MultiCheckboxField(_l("These provider organisations"), choices=[])
    service_types = TermMultiField(_l("These kinds of service"), list_name=SERVICE_TYPES)

    def _given_by_the_person_unless_a_child(self) -> None:
        """An adult gives their own consent; so does a person of unknown age unless the
        caseworker said otherwise (set as submitted, so the optional-choice check keeps it)."""
        if self.child is False:
            self.guardian_name.data = self.guardian_name.raw_data = None
            self.guardian_choice.data, self.guardian_choice.raw_data = "", []
            self.child_assent.data, self.child_assent.raw_data = None, []
        if self.child is False or (self.child is None and not self.given_by.data):
            self.given_by.data = GivenBy.PERSON.value
            self.given_by.raw_data = [GivenBy.PERSON.value]

    def validate(self, extra_validators: Any = None) -> bool:
        self._given_by_the_person_unless_a_child()
        ok: bool = super().validate(extra_validators)
        if self.basis.data == LegalBasis.CONSENT.value:
            required = [
                (self.purpose, _l("Say what the consent is for.")),
                (self.given_by, _l("Say who gave the consent.")),
                (self.method, _l("Say how the consent was given.")),
                (self.given_on, _l("Give the date the consent was given.")),
            ]
            if self.given_by.data == GivenBy.PARENT_OR_GUARDIAN.value:
                required.append((self.child_assent, _l("Note whether the child agrees.")))
        else:
            required = [(self.justification, _l("Write why this basis applies."))]
        for f, message in required:
            value = f.data.strip() if isinstance(f.data, str) else f.data
            if not value and not f.errors:
                f.errors = [*f.errors, message]
                ok = False
        return ok


class WithdrawForm(Form):
    reason = TextAreaField(
        _l("Why it is withdrawn"),
        validators=[DataRequired(message=_l("Write why it is withdrawn.")), Length(max=LONG)],
        description=_l("For example: the person said so on the phone today."),
    )
