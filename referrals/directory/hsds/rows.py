"""Checking one CSV row: each function returns clean values or raises :class:`RowError`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import Organisation
from core.exceptions import HomewardError
from core.lists.registry import CODE
from referrals.directory import codes
from referrals.directory.hsds.columns import MAX_TEXT
from referrals.directory.vocabulary import LEGACY_KINDS, ServiceStatus


class RowError(HomewardError):
    """What is wrong with a row (translated, without the file and line)."""


def problem_line(file: str, line: int, problem: str) -> str:
    return str(_("%(file)s, line %(line)d: %(problem)s", file=file, line=line, problem=problem))


def _text(row: dict[str, str], name: str, required: bool = False, limit: int = 200) -> str | None:
    value = (row.get(name) or "").strip()
    if not value:
        if required:
            raise RowError(_("%(column)s is empty", column=name))
        return None
    if len(value) > limit:
        raise RowError(
            _("%(column)s is longer than %(limit)d characters", column=name, limit=limit)
        )
    if "\x00" in value:
        raise RowError(_("%(column)s holds a NUL character", column=name))
    return value


def required_id(row: dict[str, str], name: str) -> uuid.UUID:
    try:
        return uuid.UUID((row.get(name) or "").strip())
    except ValueError:
        raise RowError(_("%(column)s is not a UUID", column=name)) from None


def _country(row: dict[str, str], name: str = "country") -> str:
    value = (row.get(name) or "").strip().upper()
    if not codes.is_country(value):
        raise RowError(
            _(
                "%(column)s %(value)r is not an ISO 3166-1 alpha-2 code",
                column=name,
                value=value[:10],
            )
        )
    return value


def _email(row: dict[str, str]) -> str | None:
    value = _text(row, "email", limit=254)
    if value and (value.count("@") != 1 or " " in value or "." not in value.split("@")[1]):
        raise RowError(_("email is not an e-mail address"))
    return value


def _url(row: dict[str, str]) -> str | None:
    value = _text(row, "url", limit=500)
    if value and not value.lower().startswith(("http://", "https://")):
        raise RowError(_("url does not start with http:// or https://"))
    return value


def _number(row: dict[str, str], name: str, low: float, high: float) -> float | None:
    value = (row.get(name) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(_("%(column)s is not a number", column=name)) from None
    if not low <= number <= high:
        raise RowError(
            _(
                "%(column)s is outside %(low)s to %(high)s",
                column=name,
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    return number


def _org_row(db: Session, row: dict[str, str]) -> dict[str, Any]:
    link = _text(row, "homeward_organisation", limit=12)
    organisation_id = None
    if link:
        org = db.scalar(select(Organisation).where(Organisation.code == link.upper()))
        if org is None or not org.is_provider:
            raise RowError(_("homeward_organisation is not the code of a provider organisation"))
        organisation_id = org.id
    return {
        "name": _text(row, "name", required=True),
        "alternate_name": _text(row, "alternate_name"),
        "description": _text(row, "description", limit=MAX_TEXT),
        "email": _email(row),
        "url": _url(row),
        "phone": _text(row, "phone", limit=50),
        "country": _country(row),
        "organisation_id": organisation_id,
    }


def _service_row(db: Session, row: dict[str, str]) -> dict[str, Any]:
    status = (row.get("status") or "").strip().lower()
    if status not in {s.value for s in ServiceStatus}:
        raise RowError(
            _("status must be one of %(values)s", values=", ".join(s.value for s in ServiceStatus))
        )
    capacity_text = (row.get("capacity") or "").strip()
    capacity = None
    if capacity_text:
        if not (capacity_text.isascii() and capacity_text.isdigit()) or int(capacity_text) > 100000:
            raise RowError(_("capacity is not a whole number from 0 to 100000"))
        capacity = int(capacity_text)
    return {
        "organization_id": required_id(row, "organization_id"),
        "name": _text(row, "name", required=True),
        "alternate_name": _text(row, "alternate_name"),
        "description": _text(row, "description", limit=MAX_TEXT),
        "url": _url(row),
        "email": _email(row),
        "phone": _text(row, "phone", limit=50),
        "contact_name": _text(row, "contact_name"),
        "status": status,
        "eligibility_description": _text(row, "eligibility_description", limit=MAX_TEXT),
        "application_process": _text(row, "application_process", limit=MAX_TEXT),
        "fees_description": _text(row, "fees_description", limit=MAX_TEXT),
        "capacity": capacity,
    }


def _location_row(db: Session, row: dict[str, str]) -> dict[str, Any]:
    return {
        "organization_id": required_id(row, "organization_id"),
        "name": _text(row, "name", required=True),
        "address_1": _text(row, "address_1"),
        "city": _text(row, "city", limit=100),
        "region": _text(row, "region", limit=100),
        "postal_code": _text(row, "postal_code", limit=20),
        "country": _country(row),
        "latitude": _number(row, "latitude", -90, 90),
        "longitude": _number(row, "longitude", -180, 180),
    }


def _language(row: dict[str, str]) -> str:
    value = (row.get("language") or "").strip().lower()
    if not codes.is_language(value):
        raise RowError(_("language %(value)r is not an ISO 639 code", value=value[:10]))
    return value


def _area(row: dict[str, str]) -> tuple[str, str]:
    return (_text(row, "service_area", required=True) or "", _country(row))


def _term(row: dict[str, str]) -> str:
    value = (row.get("taxonomy_term_id") or "").strip().lower()
    value = LEGACY_KINDS.get(value, value)
    # Whether the list knows the code is checked with the database (importer._check_child).
    if not CODE.match(value):
        raise RowError(
            _("taxonomy_term_id %(value)r is not a term of taxonomy_terms.csv", value=value[:30])
        )
    return value


def optional_id(row: dict[str, str]) -> uuid.UUID | None:
    try:
        return uuid.UUID((row.get("id") or "").strip())
    except ValueError:
        return None


def _location_id(row: dict[str, str]) -> uuid.UUID:
    return required_id(row, "location_id")


MAIN_ROWS: dict[str, Callable[[Session, dict[str, str]], dict[str, Any]]] = {
    "organizations.csv": _org_row,
    "services.csv": _service_row,
    "locations.csv": _location_row,
}
CHILD_ROWS: dict[str, Callable[[dict[str, str]], Any]] = {
    "service_at_location.csv": _location_id,
    "languages.csv": _language,
    "service_areas.csv": _area,
    "service_attributes.csv": _term,
}
