"""Signals casework sends for upper layers (referrals) to act on without being imported."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with the withdrawn ``LegalBasisRecord`` as sender and ``session``, ``actor`` and
#: ``case`` as keyword arguments, after the withdrawal was flushed and audited. Receivers act in
#: the same transaction (e.g. Referrals cancels referrals that relied on it).
consent_withdrawn = _signals.signal("consent-withdrawn")

#: Sent with a :class:`Case` as sender and ``session`` while its statistical skeleton is built
#: (the person's key still exists); each receiver returns a dict of the skeleton fields it
#: owns (Referrals: ``first_referral_month`` and ``referrals``), see casework.skeleton.
skeleton_collecting = _signals.signal("skeleton-collecting")
