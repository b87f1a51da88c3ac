"""Signals that lower layers send and upper layers (audit) listen to."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with ``permission`` (str or None) and ``reason`` when a request is refused with 403.
access_denied = _signals.signal("access-denied")

#: Sent with ``session`` and ``subject_id`` after a subject's data key was destroyed.
subject_erased = _signals.signal("subject-erased")

#: Sent with ``session``, ``action`` ("rotated", "rewrapped" or "retired") and ``details``
#: (versions and counts, never key material) by the ``homeward keys`` commands.
master_keys_changed = _signals.signal("master-keys-changed")

#: Sent when a request is refused with 429 (too many attempts).
rate_limited = _signals.signal("rate-limited")
