"""Extension point: how the audit pages turn case reference numbers into case ids and back.

Auditors work with case reference numbers, never names. ``casework`` owns cases, and audit
may not import it, so casework registers a resolver when its blueprint is registered::

    register_case_references(app, resolve=find_case_id_by_reference, label=reference_numbers)

Until one is registered, cases are named by their id.

Casework likewise hands auditors the typed reason of an emergency grant (encrypted under the
person's key, so only casework can read it) through :func:`register_emergency_reasons`: the
reason and the case id, nothing else of the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

from flask import current_app
from flask.sansio.app import App
from sqlalchemy.orm import Session

from core.forms import parse_uuid

ResolveReference = Callable[[Session, str], uuid.UUID | None]
LabelCases = Callable[[Session, Collection[uuid.UUID]], dict[uuid.UUID, str]]

_EXTENSION = "homeward_audit_case_references"
_REASONS = "homeward_audit_emergency_reasons"


@dataclass(frozen=True)
class EmergencyReason:
    """What an auditor may read of an emergency grant: its case and the typed reason.

    ``reason`` is None when the person was erased since (the reason was shredded with them).
    """

    case_id: uuid.UUID
    reason: str | None


ReadEmergencyReason = Callable[[Session, uuid.UUID], EmergencyReason | None]


@dataclass(frozen=True)
class CaseReferences:
    resolve: ResolveReference
    label: LabelCases


def register_case_references(app: App, resolve: ResolveReference, label: LabelCases) -> None:
    """Casework tells audit how to find a case by reference number and name cases by one."""
    app.extensions[_EXTENSION] = CaseReferences(resolve, label)


def _registered() -> CaseReferences | None:
    found: CaseReferences | None = current_app.extensions.get(_EXTENSION)
    return found


def resolve_case(session: Session, text: str) -> uuid.UUID | None:
    """A case id from a case id or a case reference number; None when nothing matches."""
    as_id = parse_uuid(text.strip())
    if as_id is not None:
        return as_id
    references = _registered()
    return references.resolve(session, text.strip()) if references is not None else None


def case_labels(session: Session, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Reference numbers of the given cases (those known); ids stand in for the others."""
    references = _registered()
    known = references.label(session, case_ids) if references is not None and case_ids else {}
    return {case_id: known.get(case_id, str(case_id)) for case_id in case_ids}


def register_emergency_reasons(app: App, read: ReadEmergencyReason) -> None:
    """Casework tells audit how to read the reason of an emergency grant by the grant's id."""
    app.extensions[_REASONS] = read


def emergency_reason(session: Session, grant_id: uuid.UUID) -> EmergencyReason | None:
    """The case and reason of an emergency grant; None when unknown or nothing is registered."""
    read: ReadEmergencyReason | None = current_app.extensions.get(_REASONS)
    return read(session, grant_id) if read is not None else None
