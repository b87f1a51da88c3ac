"""Between forms and services: form fields to service details, records back to form fields."""

from __future__ import annotations

from typing import Any

from casework import services
from casework.forms import (
    CaseEditForm,
    CaseFields,
    DocumentFields,
    PersonEditForm,
    PersonFields,
    language_code_of,
)
from casework.models import Case
from casework.vocabulary import CaseType


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _languages(chosen: list[str] | None) -> list[str]:
    """The chosen languages, codes in lower case, each once, in the order given."""
    codes = [language_code_of(v) for v in chosen or [] if v.strip()]
    return list(dict.fromkeys(codes))


def person_details(form: PersonFields) -> services.PersonDetails:
    address = {
        k: v
        for k, v in {
            "country": (form.address_country.data or "").upper(),
            "region": (form.address_region.data or "").strip(),
            "locality": (form.address_locality.data or "").strip(),
            "place": (form.address_place.data or "").strip(),
        }.items()
        if v
    }
    return services.PersonDetails(
        name_original=(form.name_original.data or "").strip(),
        name_latin=(form.name_latin.data or "").strip() or None,
        aliases=_split(form.aliases.data),
        date_of_birth=form.date_of_birth.data,
        estimated_birth_year=form.estimated_birth_year.data,
        sex=form.sex.data or None,
        nationality=(form.nationality.data or "").upper() or None,
        languages=_languages(form.languages.data),
        phone=(form.phone.data or "").strip() or None,
        address=address,
    )


def document_details(form: DocumentFields) -> list[services.DocumentDetails]:
    if not form.document_number.data:
        return []
    return [
        services.DocumentDetails(
            document_type=form.document_type.data or "other",
            number=form.document_number.data.strip(),
            issuing_country=(form.document_country.data or "").upper() or None,
            expiry_date=form.document_expiry.data,
        )
    ]


def case_details(form: CaseFields) -> services.CaseDetails:
    return services.CaseDetails(
        case_type=CaseType(form.case_type.data),
        event_date=form.event_date.data,
        place=(form.place.data or "").strip() or None,
        place_code=(form.place_code.data or "").strip() or None,
        referring_source=(form.referring_source.data or "").strip() or None,
        referral_source=form.referral_source.data or None,
        vulnerabilities=[str(v) for v in form.vulnerabilities.data or []],
        risk_level=form.risk_level.data or None,
    )


def hold_stored_values(form: PersonFields, person: Any) -> None:
    """Let the pickers keep what is stored though no longer offered (a language written as
    text before the picker, a country code CLDR does not know): editing keeps it."""
    form.languages.held = list(person.languages or [])
    form.nationality.held = person.nationality
    form.address_country.held = (person.address or {}).get("country")
    form.address_place.held = (person.address or {}).get("place")


def fill_person_form(form: PersonEditForm, person: Any) -> None:
    hold_stored_values(form, person)
    form.name_original.data = person.name_original
    form.name_latin.data = person.name_latin
    form.aliases.data = ", ".join(person.aliases or [])
    form.date_of_birth.data = person.date_of_birth
    form.estimated_birth_year.data = person.estimated_birth_year
    form.sex.data = person.sex or ""
    form.nationality.data = person.nationality
    form.languages.data = _languages(person.languages)
    form.phone.data = person.phone
    address = person.address or {}
    form.address_country.data = address.get("country") or ""
    form.address_region.data = address.get("region")
    form.address_locality.data = address.get("locality")
    form.address_place.data = address.get("place") or ""


def fill_case_form(form: CaseEditForm, case: Case) -> None:
    form.case_type.data = case.case_type
    form.event_date.data = case.event_date
    form.place.data = case.place
    form.place_code.held = case.place_code
    form.place_code.data = case.place_code or ""
    form.referring_source.data = case.referring_source
    form.referral_source.data = case.referral_source or ""
    form.vulnerabilities.data = case.vulnerability_codes
    form.risk_level.data = case.risk_level or ""
