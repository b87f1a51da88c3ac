"""Extension point: how the audit pages turn case reference numbers into case ids and back.

Auditors work with case reference numbers, never names. ``casework`` owns cases, and audit
may not import it, so casework connects to the signals of :mod:`audit.signals`
(``case_reference_resolving``, ``case_labels_collecting``). Until a receiver is connected,
cases are named by their id.

Casework likewise hands auditors the typed reason of an emergency grant (encrypted under the
person's key, so only casework can read it) through ``emergency_reason_reading``: the reason
and the case id, nothing else of the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from audit.signals import case_labels_collecting, case_reference_resolving, emergency_reason_reading
from core.forms import parse_uuid
from core.signals import collect


@dataclass(frozen=True)
class EmergencyReason:
    """What an auditor may read of an emergency grant: its case and the typed reason.

    ``reason`` is None when the person was erased since (the reason was shredded with them).
    """

    case_id: uuid.UUID
    reason: str | None


def resolve_case(session: Session, text: str) -> uuid.UUID | None:
    """A case id from a case id or a case reference number; None when nothing matches."""
    as_id = parse_uuid(text.strip())
    if as_id is not None:
        return as_id
    found = collect(
        case_reference_resolving, None, uuid.UUID, session=session, reference=text.strip()
    )
    return found[0] if found else None


def case_labels(session: Session, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Reference numbers of the given cases (those known); ids stand in for the others."""
    known: dict[uuid.UUID, str] = {}
    if case_ids:
        for labels in collect(
            case_labels_collecting, None, dict, session=session, case_ids=case_ids
        ):
            known.update(labels)
    return {case_id: known.get(case_id, str(case_id)) for case_id in case_ids}


def emergency_reason(session: Session, grant_id: uuid.UUID) -> EmergencyReason | None:
    """The case and reason of an emergency grant; None when unknown or nothing answers."""
    found = collect(
        emergency_reason_reading, None, EmergencyReason, session=session, grant_id=grant_id
    )
    return found[0] if found else None
