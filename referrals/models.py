"""Referral models (the service directory and referrals arrive with the Referrals issue)."""

from __future__ import annotations
