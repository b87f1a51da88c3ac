"""Extension point: what depends on a legal basis (referrals sent under a consent, and so on).

Other domains register a provider function; the consent panel and the withdrawal page list
what every provider returns, so a caseworker sees what a withdrawal affects. Casework itself
registers nothing: referrals and later domains do, without casework importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask.sansio.app import App
from sqlalchemy.orm import Session

from casework.consent.models import LegalBasisRecord

EXTENSION = "homeward_consent_dependencies"


@dataclass(frozen=True)
class Dependent:
    """Something that relies on a legal basis; ``description`` holds no personal data."""

    kind: str
    description: str
    url: str | None = None


DependencyProvider = Callable[[Session, LegalBasisRecord], list[Dependent]]


def register_dependency_provider(app: App, provider: DependencyProvider) -> None:
    app.extensions.setdefault(EXTENSION, []).append(provider)


def dependency_providers() -> list[DependencyProvider]:
    providers: list[DependencyProvider] = current_app.extensions.get(EXTENSION, [])
    return providers


def dependents_of(db: Session, record: LegalBasisRecord) -> list[Dependent]:
    """Everything registered providers say depends on this legal basis."""
    return [item for provider in dependency_providers() for item in provider(db, record)]
