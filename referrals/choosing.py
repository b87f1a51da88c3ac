"""Choosing a service for a case: whether the recorded consent covers each one, and which
speak the person's language and serve their area (those are listed first)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from casework.consent.services import active_legal_bases
from casework.consent.vocabulary import LegalBasis
from casework.models import Case, Person
from core.i18n.names import language_name
from referrals.directory.models import Service
from referrals.sending import bases_allowing


@dataclass(frozen=True)
class ServiceFit:
    """A referable service as it suits one case."""

    service: Service
    #: An active consent covers the provider and one of the service's kinds.
    covered: bool
    #: Not covered by consent, but another recorded legal basis (vital interest...) allows it.
    other_basis: bool
    #: A language code the service speaks that the person speaks too (None: none known).
    language: str | None
    #: The area served that is the person's region or locality (None: none known).
    area: str | None

    @property
    def rank(self) -> int:
        """How many of language and area match: 2 first, then 1, then 0."""
        return (self.language is not None) + (self.area is not None)


def _folded(values: object) -> set[str]:
    items = values if isinstance(values, list | tuple) else []
    return {str(v).strip().casefold() for v in items if str(v).strip()}


def _shared_language(person: Person, service: Service) -> str | None:
    """The first language of the service the person speaks (stored as a code or a name)."""
    spoken = _folded(person.languages)
    for code in service.language_codes:
        names = {code, language_name(code, "en").casefold(), language_name(code).casefold()}
        if spoken & names:
            return code
    return None


def _served_area(person: Person, service: Service) -> str | None:
    """The service's area that is the person's region or locality, in their country."""
    address = person.address if isinstance(person.address, dict) else {}
    places = _folded([address.get("locality"), address.get("region")])
    country = str(address.get("country") or "").upper()
    for area in service.areas:
        same_country = not country or area.country.upper() == country
        if same_country and area.service_area.strip().casefold() in places:
            return area.service_area
    return None


def fits(db: Session, case: Case, services: list[Service]) -> list[ServiceFit]:
    """The services with their consent coverage, best matches for the person first (the
    directory's order kept among equals)."""
    bases = active_legal_bases(db, case)
    person = case.person
    readable = person.erased_at is None
    found = []
    for service in services:
        allowing = bases_allowing(bases, service)
        covered = any(b.basis == LegalBasis.CONSENT.value for b in allowing)
        found.append(
            ServiceFit(
                service=service,
                covered=covered,
                other_basis=not covered and bool(allowing),
                language=_shared_language(person, service) if readable else None,
                area=_served_area(person, service) if readable else None,
            )
        )
    return sorted(found, key=lambda fit: -fit.rank)
