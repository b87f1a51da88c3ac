"""Signals casework sends for upper layers (referrals) to act on without being imported."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with the withdrawn ``LegalBasisRecord`` as sender and ``session``, ``actor`` and
#: ``case`` as keyword arguments, after the withdrawal was flushed and audited. Receivers act in
#: the same transaction (e.g. Referrals cancels referrals that relied on it).
consent_withdrawn = _signals.signal("consent-withdrawn")
