"""Forms of registration, search, notes and assignment. Every field is validated here."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from casework.vocabulary import (
    DOCUMENT_TYPES,
    REFERRAL_SOURCES,
    VULNERABILITIES,
    CaseType,
    RiskLevel,
    Sex,
    choices,
)
from core.forms import Form, OptionalChoice, YearRange
from core.i18n.fields import CountryField, LocalDateField, LocalYearField, ascii_digits
from core.i18n.names import (
    country_choices,
    is_country,
    is_language,
    language_choices,
    language_name,
    sort_key,
)
from core.lists.fields import TermMultiField, TermSelectField
from core.places.forms import PlaceField

SHORT = 200


def not_in_future(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data > date.today():
        raise ValidationError(_l("This date cannot be in the future."))


def language_code_of(text: str) -> str:
    """A language recorded as text ("Dari", "RU") as its code when it is one or names one in
    the reader's language or English; anything else as written."""
    text = text.strip()
    if is_language(text) and text.isascii():
        return text.lower()
    wanted = sort_key(text)
    for code, name in (*language_choices(), *language_choices("en")):
        if sort_key(name) == wanted:
            return code
    return text


def _person_language_options(form: Any, field: Any) -> list[tuple[str, str]]:
    """Every common language by name, those the person speaks first (a long list hides what
    is chosen), and what was recorded as free text before the picker, as written."""
    chosen = [v for v in field.data or [] if isinstance(v, str)]
    offered = [(c, n) for c, n in language_choices() if c not in chosen]
    held = [v for v in chosen if v in field.held or is_language(v)]
    return [(code, language_name(code)) for code in held] + offered


class PersonLanguagesField(SelectMultipleField):
    """The languages a person speaks, picked by name; the values are ISO 639 codes. ``held``
    (set from the stored record) keeps a language once written as free text valid."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, choices=_person_language_options, **kwargs)
        self.held: list[str] = []

    def pre_validate(self, form: Any) -> None:
        if any(not (v in self.held or is_language(v)) for v in self.data or []):
            raise ValidationError(_l("Choose languages from the list."))


class PersonCountryField(CountryField):
    """A country picked by name; ``held`` (the stored code) stays offered, as its code, and
    valid when it is no longer a known country, so editing other details keeps it."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.held: str | None = None
        self.choices = self._options

    def _options(self) -> list[tuple[str, str]]:
        known = [("", "—"), *country_choices()]
        if self.held and not is_country(self.held):
            return [*known, (self.held, self.held)]
        return known

    def pre_validate(self, form: Any) -> None:
        if self.data and self.data == (self.held or "").upper():
            return
        super().pre_validate(form)


class PersonFields(Form):
    """The person section (registration and editing)."""

    name_original = StringField(
        _l("Full name as the person writes it"),
        validators=[DataRequired(), Length(max=SHORT)],
        description=_l("In the person's own script: Arabic, Cyrillic, Latin or any other."),
    )
    name_latin = StringField(
        _l("Full name in Latin letters"), validators=[Optional(), Length(max=SHORT)]
    )
    aliases = StringField(
        _l("Other names or spellings"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separate several names with commas."),
    )
    date_of_birth = LocalDateField(
        _l("Date of birth"), validators=[Optional(), not_in_future, YearRange(1900)]
    )
    estimated_birth_year = LocalYearField(
        _l("Or: estimated year of birth"),
        validators=[Optional(), NumberRange(min=1900, max=date.today().year)],
    )
    sex = SelectField(_l("Sex"), choices=[("", "—"), *choices(Sex)], validators=[OptionalChoice()])
    nationality = PersonCountryField(_l("Nationality"), validators=[OptionalChoice()])
    languages = PersonLanguagesField(
        _l("Languages spoken"),
        render_kw={"size": 8},
        description=_l("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )
    phone = StringField(
        _l("Phone"),
        filters=[ascii_digits],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\-. ]*\Z", message=_l("Digits, spaces and + ( ) - only.")),
        ],
    )
    address_country = PersonCountryField(_l("Country of return"), validators=[OptionalChoice()])
    address_region = StringField(_l("Region"), validators=[Optional(), Length(max=SHORT)])
    address_locality = StringField(
        _l("Town or village"), validators=[Optional(), Length(max=SHORT)]
    )
    address_place = PlaceField(
        _l("District or province of the address"), validators=[OptionalChoice()]
    )


class DocumentFields(Form):
    """One identity or travel document."""

    document_type = TermSelectField(
        _l("Document type"),
        list_name=DOCUMENT_TYPES,
        blank="—",
        validators=[OptionalChoice()],
    )
    document_number = StringField(
        _l("Document number"),
        validators=[Optional(), Length(max=60)],
        filters=[ascii_digits],
    )
    document_country = CountryField(_l("Issuing country"), validators=[OptionalChoice()])
    document_expiry = LocalDateField(_l("Expiry date"), validators=[Optional(), YearRange(1900)])

    def validate_document_number(self, field: StringField) -> None:
        if field.data and not self.document_type.data:
            raise ValidationError(_l("Choose the type of the document too."))


class CaseFields(Form):
    """The case section (registration and editing)."""

    case_type = SelectField(_l("Case type"), choices=choices(CaseType), validators=[DataRequired()])
    event_date = LocalDateField(
        _l("Date of return or identification"),
        validators=[Optional(), not_in_future, YearRange(1900)],
    )
    place = StringField(
        _l("Place (border point, centre, office)"), validators=[Optional(), Length(max=SHORT)]
    )
    place_code = PlaceField(
        _l("Province or district of return or identification"), validators=[OptionalChoice()]
    )
    referral_source = TermSelectField(
        _l("Referral source"),
        list_name=REFERRAL_SOURCES,
        blank="—",
        validators=[OptionalChoice()],
        description=_l("The kind of source that referred the person, for the figures."),
    )
    referring_source = StringField(
        _l("Referred by"),
        validators=[Optional(), Length(max=SHORT)],
        description=_l("Optional: the name of the person or office that referred them."),
    )
    # No Optional(): it would stop validation and let an empty or unknown value through.
    vulnerabilities = TermMultiField(_l("Vulnerabilities"), list_name=VULNERABILITIES)
    risk_level = SelectField(
        _l("Risk"), choices=[("", "—"), *choices(RiskLevel)], validators=[OptionalChoice()]
    )


class RegistrationForm(PersonFields, DocumentFields, CaseFields):
    not_a_duplicate = BooleanField(_l("None of these is the same person: register a new person"))


class PersonEditForm(PersonFields):
    version = HiddenField()
    correction_reason = StringField(
        _l("Reason for the change"),
        validators=[Optional(), Length(max=500)],
        description=_l("Optional. Kept with the correction record, e.g. the passport was checked."),
    )


class CaseEditForm(CaseFields):
    version = HiddenField()


class DocumentForm(DocumentFields):
    def validate_document_type(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the type of the document."))


class SearchForm(Form):
    kind = SelectField(
        _l("Search by"),
        choices=[
            ("name", _l("Name (any script)")),
            ("date_of_birth", _l("Date of birth or year (YYYY-MM-DD, YYYY)")),
            ("document", _l("Document number (in full)")),
            ("case_number", _l("Case number")),
        ],
        validators=[DataRequired()],
    )
    term = StringField(_l("Search for"), validators=[DataRequired(), Length(max=200)])


class NoteForm(Form):
    body = TextAreaField(
        _l("New note"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Notes are kept as written. To correct one, add a new note."),
    )


class AssignForm(Form):
    assignee = SelectField(_l("Assign to"), choices=[], validators=[DataRequired()])


class EmergencyForm(Form):
    reason = TextAreaField(
        _l("Why do you need this case now?"),
        validators=[DataRequired(), Length(min=15, max=500)],
        description=_l(
            "Say what the emergency is, without names or other personal details. "
            "Auditors read this."
        ),
    )


class TransferForm(Form):
    organisation = SelectField(_l("Transfer to"), choices=[], validators=[DataRequired()])


class DeclineTransferForm(Form):
    reason = StringField(_l("Reason for declining"), validators=[DataRequired(), Length(max=500)])
