"""Extension point: what depends on a legal basis (referrals sent under a consent, and so on).

Other domains connect to ``casework.signals.consent_dependents_collecting``; the consent panel
and the withdrawal page list what every receiver returns, so a caseworker sees what a
withdrawal affects. Casework itself adds nothing: referrals and later domains do, without
casework importing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from casework.consent.models import LegalBasisRecord
from casework.signals import consent_dependents_collecting
from core.signals import collect


@dataclass(frozen=True)
class Dependent:
    """Something that relies on a legal basis; ``description`` holds no personal data."""

    kind: str
    description: str
    url: str | None = None


def dependents_of(db: Session, record: LegalBasisRecord) -> list[Dependent]:
    """Everything the receivers say depends on this legal basis."""
    found = collect(consent_dependents_collecting, record, list, session=db)
    return [item for items in found for item in items]
