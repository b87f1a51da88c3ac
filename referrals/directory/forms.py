"""Directory forms: organization, location, service, import. Every field is validated here."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from core.forms import Form, MultiCheckboxField, OptionalChoice, parse_uuid
from core.i18n.fields import CountryField, LanguagesField, LocalIntegerField
from core.i18n.names import country_code_of, country_name
from core.lists.fields import TermMultiField
from core.places.forms import PlaceMultipleField
from referrals.directory.manage import LocationDetails, OrganizationDetails, ServiceDetails
from referrals.directory.models import DirectoryOrganization, Service
from referrals.directory.vocabulary import SERVICE_TYPES, ServiceStatus, choices

SHORT = 200
LONG = 5000
EMAIL = [
    Optional(),
    Length(max=254),
    Regexp(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+\Z", message=_l("Type an e-mail address.")),
]
WEBSITE = [Optional(), Length(max=500), URL(message=_l("Type a web address starting http(s)://."))]
PHONE = [
    Optional(),
    Length(max=50),
    Regexp(r"^[0-9+()\-. ]*\Z", message=_l("Digits, spaces and + ( ) - only.")),
]


def area_lines(form: FlaskForm, field: Any) -> None:
    for line in (field.data or "").splitlines():
        if line.strip() and parse_area(line) is None:
            raise ValidationError(_l("Write one area per line as: area, country (Kosovo)."))


def parse_area(line: str) -> tuple[str, str] | None:
    """``"Prishtina, Kosovo"`` or ``"Prishtina, XK"`` -> ("Prishtina", "XK"); None when it is
    not of that shape. The country is the longest ending after a comma that names one; the
    Arabic comma (typed by Dari, Pashto, Arabic and Urdu keyboards) counts as a comma."""
    parts = line.replace("\u060c", ",").split(",")
    for cut in range(1, len(parts)):
        name, country = ",".join(parts[:cut]).strip(), ",".join(parts[cut:])
        code = country_code_of(country)
        if code is not None:
            return (name, code) if name and len(name) <= SHORT else None
    return None


def area_line(area: str, country: str) -> str:
    """An area served as the form shows it: its name, then the country's name."""
    return f"{area}, {country_name(country)}"


def country_field(label: Any) -> CountryField:
    return CountryField(label, validators=[DataRequired()])


class OrganizationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=SHORT)])
    alternate_name = StringField(_l("Other name"), validators=[Optional(), Length(max=SHORT)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=LONG)])
    email = StringField(_l("E-mail"), validators=EMAIL)
    phone = StringField(_l("Phone"), validators=PHONE)
    url = StringField(_l("Website"), validators=WEBSITE)
    country = country_field(_l("Country"))
    link = SelectField(
        _l("Homeward provider organisation"),
        choices=[],
        validators=[OptionalChoice()],
        description=_l(
            "Linked: its staff receive referrals. Empty: the organisation is only listed."
        ),
    )
    version = HiddenField()


class LocationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=SHORT)])
    address_1 = StringField(_l("Address"), validators=[Optional(), Length(max=SHORT)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    country = country_field(_l("Country"))
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])
    version = HiddenField()


class ServiceForm(Form):
    organization_id = SelectField(_l("Organisation"), choices=[], validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=SHORT)])
    alternate_name = StringField(_l("Other name"), validators=[Optional(), Length(max=SHORT)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=LONG)])
    status = SelectField(
        _l("Status"), choices=choices(ServiceStatus), default=ServiceStatus.ACTIVE.value
    )
    types = TermMultiField(_l("Types of service"), list_name=SERVICE_TYPES)
    languages = LanguagesField(_l("Languages"), render_kw={"size": 8})
    areas = TextAreaField(
        _l("Areas served"),
        validators=[Optional(), Length(max=LONG), area_lines],
        description=_l("One per line: area, country. For example: Prishtina, Kosovo"),
    )
    area_places = PlaceMultipleField(
        _l("Places served (from the places list)"),
        render_kw={"size": 8},
        description=_l("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )
    location_ids = MultiCheckboxField(_l("Offered at"), choices=[])
    eligibility_description = TextAreaField(
        _l("Who is eligible"), validators=[Optional(), Length(max=LONG)]
    )
    application_process = TextAreaField(
        _l("How to apply"), validators=[Optional(), Length(max=LONG)]
    )
    fees_description = TextAreaField(_l("Fees"), validators=[Optional(), Length(max=LONG)])
    capacity = LocalIntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=0, max=100000)],
        description=_l("How many new people the service can take at a time."),
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=SHORT)])
    email = StringField(_l("E-mail"), validators=EMAIL)
    phone = StringField(_l("Phone"), validators=PHONE)
    url = StringField(_l("Website"), validators=WEBSITE)
    version = HiddenField()

    def validate_types(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one type of service."))


class ImportForm(Form):
    archive = FileField(
        _l("Zip of HSDS CSV files"),
        validators=[FileRequired(_l("Choose a zip file."))],
        description=_l("The same files the export produces; ids that exist are updated."),
    )
    dry_run = BooleanField(_l("Only check the files, import nothing"))


# --- between forms and the operations' details ----------------------------------------------


def organization_details(form: OrganizationForm) -> OrganizationDetails:
    return OrganizationDetails(
        name=form.name.data or "",
        country=(form.country.data or "").strip().upper(),
        alternate_name=form.alternate_name.data,
        description=form.description.data,
        email=form.email.data,
        phone=form.phone.data,
        url=form.url.data,
        organisation_id=parse_uuid(form.link.data),
    )


def fill_organization(form: OrganizationForm, org: DirectoryOrganization) -> None:
    form.process(obj=org)
    form.link.data = str(org.organisation_id) if org.organisation_id else ""


def location_details(form: LocationForm) -> LocationDetails:
    return LocationDetails(
        name=form.name.data or "",
        country=(form.country.data or "").strip().upper(),
        address_1=form.address_1.data,
        city=form.city.data,
        region=form.region.data,
        postal_code=form.postal_code.data,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
    )


def service_details(form: ServiceForm) -> ServiceDetails:
    areas = [parse_area(line) for line in (form.areas.data or "").splitlines() if line.strip()]
    return ServiceDetails(
        organization_id=parse_uuid(form.organization_id.data) or uuid.UUID(int=0),
        name=form.name.data or "",
        status=form.status.data or "",
        alternate_name=form.alternate_name.data,
        description=form.description.data,
        url=form.url.data,
        email=form.email.data,
        phone=form.phone.data,
        contact_name=form.contact_name.data,
        eligibility_description=form.eligibility_description.data,
        application_process=form.application_process.data,
        fees_description=form.fees_description.data,
        capacity=form.capacity.data,
        types=list(form.types.data or []),
        languages=[code.lower() for code in form.languages.data or []],
        areas=[a for a in areas if a is not None],
        area_places=[code for code in form.area_places.data or [] if code],
        location_ids=[
            loc for loc in (parse_uuid(x) for x in form.location_ids.data or []) if loc is not None
        ],
    )


def fill_service(form: ServiceForm, service: Service) -> None:
    form.process(obj=service)
    form.organization_id.data = str(service.organization_id)
    # Processed again with the codes, so the kinds it holds stay offered even when retired.
    form.types.process(None, service.type_codes)
    form.languages.data = list(service.language_codes)
    form.areas.data = "\n".join(
        area_line(a.service_area, a.country) for a in service.areas if not a.place_pcode
    )
    form.area_places.data = [a.place_pcode for a in service.areas if a.place_pcode]
    form.location_ids.data = [str(sal.location_id) for sal in service.at_locations]
