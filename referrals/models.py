"""Referral models; the service directory's models live in ``referrals.directory.models``."""

from __future__ import annotations

from referrals.directory.models import (  # noqa: F401  (Base.metadata needs them)
    DirectoryOrganization,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceTypeTerm,
)
