"""Reuse the referral fixtures (a caseworker's case with consent for a provider, its service)."""

from tests.referrals.conftest import (  # noqa: F401 - fixtures
    agency,
    case,
    caseworker,
    long_sessions,
    provider,
    provider_client,
    provider_org,
    service,
    supervisor,
)
