"""Signals Referrals sends for others (notifications) to act on.

Each is sent with the Flask app as sender and ``referral=`` and ``event=`` (the
``ReferralEvent`` just recorded) as keyword arguments, after the change was flushed and
audited, inside the request's transaction. Receivers must not commit.
"""

from __future__ import annotations

from core.signals import Namespace

_signals = Namespace()

#: A referral was sent to a provider.
referral_sent = _signals.signal("referral-sent")
#: The provider answered: accepted, declined, completed or not completed (``event.to_state``).
referral_answered = _signals.signal("referral-answered")
#: A referral ended without the provider: cancelled (by the referrer or a consent withdrawal)
#: or expired (no answer by the deadline).
referral_closed = _signals.signal("referral-closed")
