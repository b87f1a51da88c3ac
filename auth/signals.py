"""Signals auth sends for upper layers (casework) to act on without being imported."""

from __future__ import annotations

from core.signals import Namespace

_signals = Namespace()

#: Sent with the moved ``User`` as sender and ``session``, ``actor`` and
#: ``previous_organisation_id`` as keyword arguments, after an administrator moved the account
#: to another organisation (flushed and audited). Receivers act in the same transaction (e.g.
#: Casework unassigns the cases the user held in the old organisation).
user_organisation_changed = _signals.signal("user-organisation-changed")
