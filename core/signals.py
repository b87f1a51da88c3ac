"""Signals that lower layers send and upper layers (audit) listen to."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with ``permission`` (str or None) and ``reason`` when a request is refused with 403.
access_denied = _signals.signal("access-denied")
