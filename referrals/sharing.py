"""The catalogue of shareable fields of a person and case, defaults per service kind, and
the values a provider sees.

A referral stores the codes chosen; :func:`shared_values` renders only those, so a template
cannot show an unshared field by mistake. Each code names the encrypted attributes it reveals
(``attributes``), which the minimal-disclosure tests check against the models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from casework import vocabulary as cv
from casework.models import Case, Person
from core.i18n.dates import format_local_date, format_local_year
from core.i18n.names import country_name, language_name
from core.lists import queries as lists
from referrals.directory.vocabulary import ServiceType


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: date | None) -> str:
    return format_local_date(value) if value else ""


def _year(value: int | None) -> str:
    return format_local_year(value) if value else ""


def _list(values: Iterable[Any] | None) -> str:
    return ", ".join(str(v) for v in values or [] if v)


def _address(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    order = ["line", "locality", "region", "postal_code", "country"]
    keys = [k for k in order if k in value] + sorted(k for k in value if k not in order)
    shown = {**value, "country": country_name(value.get("country"))}
    return ", ".join(str(shown[k]) for k in keys if shown[k])


def _term(holder: object, name: str, code: str | None) -> str:
    """The label of ``code`` in the list ``name`` (:mod:`core.lists`), read in the session
    ``holder`` was loaded in."""
    session = object_session(holder)
    if session is None:
        return code or ""
    return lists.label(session, name, code)


def _documents(person: Person) -> str:
    parts = []
    for d in person.documents:
        label = _term(d, cv.DOCUMENT_TYPES, d.document_type)
        bits = [b for b in (d.number, country_name(d.issuing_country), _date(d.expiry_date)) if b]
        parts.append(f"{label}: {' · '.join(bits)}" if bits else label)
    return "; ".join(parts)


@dataclass(frozen=True)
class ShareableField:
    code: str
    label: Any
    #: ``person.<attr>``, ``case.<attr>`` or ``document.<attr>``: what the value reveals.
    attributes: tuple[str, ...]
    render: Callable[[Person, Case], str]


CATALOGUE: tuple[ShareableField, ...] = (
    ShareableField(
        "name_original",
        _l("Name (original script)"),
        ("person.name_original",),
        lambda p, c: _text(p.name_original),
    ),
    ShareableField(
        "name_latin",
        _l("Name (Latin letters)"),
        ("person.name_latin",),
        lambda p, c: _text(p.name_latin),
    ),
    ShareableField(
        "aliases", _l("Other names"), ("person.aliases",), lambda p, c: _list(p.aliases)
    ),
    ShareableField(
        "date_of_birth",
        _l("Date of birth or estimated year"),
        ("person.date_of_birth", "person.estimated_birth_year"),
        lambda p, c: _date(p.date_of_birth) or _year(p.estimated_birth_year),
    ),
    ShareableField("sex", _l("Sex"), ("person.sex",), lambda p, c: _text(cv.label(p.sex, cv.Sex))),
    ShareableField(
        "nationality",
        _l("Nationality"),
        ("person.nationality",),
        lambda p, c: country_name(p.nationality),
    ),
    ShareableField(
        "languages",
        _l("Languages"),
        ("person.languages",),
        lambda p, c: _list(map(language_name, p.languages or [])),
    ),
    ShareableField("phone", _l("Phone"), ("person.phone",), lambda p, c: _text(p.phone)),
    ShareableField("address", _l("Address"), ("person.address",), lambda p, c: _address(p.address)),
    ShareableField(
        "documents",
        _l("Identity and travel documents"),
        (
            "document.document_type",
            "document.number",
            "document.issuing_country",
            "document.expiry_date",
        ),
        lambda p, c: _documents(p),
    ),
    ShareableField(
        "case_type",
        _l("Case type"),
        ("case.case_type",),
        lambda p, c: _text(cv.label(c.case_type, cv.CaseType)),
    ),
    ShareableField(
        "vulnerabilities",
        _l("Vulnerabilities"),
        ("case.vulnerabilities",),
        lambda p, c: _list(
            _term(c, cv.VULNERABILITIES, v.code) for v in sorted(c.vulnerabilities, key=_code)
        ),
    ),
    ShareableField(
        "risk_level",
        _l("Risk level"),
        ("case.risk_level",),
        lambda p, c: _text(cv.label(c.risk_level, cv.RiskLevel)),
    ),
    ShareableField(
        "event_date",
        _l("Date of return or identification"),
        ("case.event_date",),
        lambda p, c: _date(c.event_date),
    ),
    ShareableField(
        "place",
        _l("Place of return or identification"),
        ("case.place",),
        lambda p, c: _text(c.place),
    ),
    ShareableField(
        "referring_source",
        _l("Referring source"),
        ("case.referring_source",),
        lambda p, c: _text(c.referring_source),
    ),
)


def _code(item: Any) -> str:
    return str(item.code)


BY_CODE: dict[str, ShareableField] = {f.code: f for f in CATALOGUE}
CODES: tuple[str, ...] = tuple(f.code for f in CATALOGUE)

_BASE = ("name_latin", "languages")
_DEFAULTS: dict[ServiceType, tuple[str, ...]] = {
    ServiceType.HEALTH: ("date_of_birth", "sex", "vulnerabilities", "phone"),
    ServiceType.MENTAL_HEALTH: ("date_of_birth", "sex", "vulnerabilities", "phone"),
    ServiceType.LEGAL: ("date_of_birth", "nationality", "case_type", "documents"),
    ServiceType.SHELTER: ("date_of_birth", "sex", "vulnerabilities", "risk_level"),
    ServiceType.EDUCATION: ("date_of_birth", "phone"),
    ServiceType.VOCATIONAL_TRAINING: ("date_of_birth", "phone"),
    ServiceType.EMPLOYMENT: ("phone", "address"),
    ServiceType.BUSINESS_GRANT: ("phone", "address"),
    ServiceType.FAMILY_TRACING: ("name_original", "aliases", "date_of_birth", "nationality"),
    ServiceType.DOCUMENTATION: ("date_of_birth", "nationality", "documents"),
    ServiceType.CASH_ASSISTANCE: ("phone", "address"),
    ServiceType.OTHER: (),
}


def default_codes(kinds: Iterable[str]) -> list[str]:
    """The minimal fields suggested for a service of these kinds (catalogue order)."""
    chosen = set(_BASE)
    for kind in kinds:
        try:
            chosen.update(_DEFAULTS[ServiceType(kind)])
        except ValueError:
            continue
    return [c for c in CODES if c in chosen]


def field_choices() -> list[tuple[str, Any]]:
    """Form choices with lazy labels (translated when rendered, not at import)."""
    return [(f.code, f.label) for f in CATALOGUE]


@dataclass(frozen=True)
class SharedValue:
    code: str
    label: Any
    value: str


def shared_values(codes: Iterable[str], person: Person, case: Case) -> list[SharedValue]:
    """The chosen fields' values, decrypted, in catalogue order; unknown codes are skipped.

    Nothing for an erased person: their data key is gone.
    """
    if person.erased_at is not None:
        return []
    wanted = set(codes)
    return [
        SharedValue(f.code, f.label, f.render(person, case)) for f in CATALOGUE if f.code in wanted
    ]
