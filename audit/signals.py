"""Signals audit sends to ask upper layers what only they know, without importing them.

Each is sent with ``None`` as sender and the ``session``; see :mod:`audit.references`.
"""

from __future__ import annotations

from core.signals import Namespace

_signals = Namespace()

#: With ``reference`` (a case reference number as typed): a receiver that knows the case
#: returns its id (``uuid.UUID``); the others return None (Casework).
case_reference_resolving = _signals.signal("case-reference-resolving")

#: With ``case_ids``: each receiver returns a dict ``{case_id: reference number}`` of the cases
#: it knows (Casework); auditors see reference numbers, never names.
case_labels_collecting = _signals.signal("case-labels-collecting")

#: With ``grant_id``: the receiver that knows the emergency grant returns an
#: ``audit.references.EmergencyReason`` (its case and typed reason); the others None.
emergency_reason_reading = _signals.signal("emergency-reason-reading")

#: With ``user_ids`` and ``organisation_ids``: a receiver returns an ``audit.staff.StaffNames``
#: with the display names of the staff accounts and the names of the organisations it knows,
#: and the labels of the roles (Auth). Staff are not data subjects: auditors see their names.
staff_names_collecting = _signals.signal("staff-names-collecting")

#: With ``session`` and ``events`` (the ``AuditEvent`` objects just appended, in chain order,
#: transient, ``seq`` and ``hash`` set): sent by the commit's append right after its insert,
#: which is not a flush, with autoflush off. Casework's skeleton tracking rebuilds the cases
#: they name, as it does for a row a flush writes. A receiver that raises fails the commit.
events_appended = _signals.signal("events-appended")
