"""Signals that lower layers send and upper layers (audit) listen to."""

from __future__ import annotations

from typing import Any, TypeVar

from blinker import Namespace, Signal

_signals = Namespace()

T = TypeVar("T")


def collect(signal: Signal, sender: Any, returns: type[T], **kwargs: Any) -> list[T]:
    """Send ``signal`` and return what its receivers returned, in the order they connected.

    Receivers that return None contribute nothing; any other value that is not a ``returns``
    is a programming error (TypeError).
    """
    values = [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]
    for value in values:
        if not isinstance(value, returns):
            name = getattr(signal, "name", "a signal")
            raise TypeError(f"a receiver of {name} returned {type(value).__name__}")
    return values


#: Sent with ``permission`` (str or None) and ``reason`` when a request is refused with 403.
access_denied = _signals.signal("access-denied")

#: Sent with ``session`` and ``subject_id`` after a subject's data key was destroyed.
subject_erased = _signals.signal("subject-erased")

#: Sent with ``session``, ``action`` ("rotated", "rewrapped" or "retired") and ``details``
#: (versions and counts, never key material) by the ``homeward keys`` commands.
master_keys_changed = _signals.signal("master-keys-changed")

#: Sent when a request is refused with 429 (too many attempts).
rate_limited = _signals.signal("rate-limited")
