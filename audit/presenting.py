"""Events as an auditor reads them: names for ids, details as labelled lists with links.

Everything a page of events needs is looked up once for the whole page (case reference
numbers, account and organisation names), never once per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.references import case_labels
from audit.staff import Who, who_for_events
from core.forms import parse_uuid

#: Labels of the detail keys an auditor meets most; other keys are shown as written.
DETAIL_LABELS = {
    "reason": _l("Reason"),
    "reason_code": _l("Reason"),
    "count": _l("Count"),
    "from": _l("From"),
    "to": _l("To"),
    "fields": _l("Fields"),
    "case_id": _l("Case"),
    "case_ids": _l("Cases"),
    "cases": _l("Cases"),
    "organisation_id": _l("Organisation"),
    "organisation_ids": _l("Organisations"),
    "organisations": _l("Organisations"),
    "role": _l("Role"),
    "state": _l("State"),
    "kind": _l("Kind"),
    "number": _l("Number"),
    "comment": _l("Comment"),
    "filter": _l("Filter"),
    "person_id": _l("Person"),
    "referral_id": _l("Referral"),
    "referrals": _l("Referrals"),
    "service_id": _l("Service"),
    "urgency": _l("Urgency"),
    "basis": _l("Basis"),
    "legal_basis_id": _l("Legal basis"),
    "dimension": _l("Dimension"),
    "grant_id": _l("Emergency access"),
    "size_bytes": _l("Size"),
    "events_shown": _l("Events shown"),
    "provider_organisation_id": _l("Provider"),
    "shared_fields": _l("Shared with the provider"),
    "service_types": _l("Types of service"),
    "documents": _l("Documents"),
    "transnational": _l("Transnational"),
    "any_provider": _l("Any provider"),
    "escalated": _l("Escalated"),
    "answered": _l("Answered"),
    "visit_type": _l("Type of visit"),
    "action_id": _l("Action"),
    # issue 16: figures pages and downloads
    "report": _l("Report"),
    "format": _l("Format"),
    "table": _l("Table"),
    "case_type": _l("Case type"),
    "sex": _l("Sex"),
    "age_band": _l("Age band"),
    "nationality": _l("Nationality"),
}
#: Keys whose ids are cases (linked to the case's access history).
CASE_KEYS = frozenset({"case_id", "case_ids", "cases"})
#: Keys whose ids are referrals (linked to the referral's events in the log).
REFERRAL_KEYS = frozenset({"referral_id", "referral_ids"})


@dataclass(frozen=True)
class Link:
    """A value the auditor may follow; ``title`` holds the full id when the text is a name."""

    href: str
    text: str
    title: str | None = None


@dataclass(frozen=True)
class Detail:
    """One key of an event's details: its label, and a text, links or nested details."""

    key: str
    label: str | None
    text: str | None = None
    links: tuple[Link, ...] = ()
    children: tuple[Detail, ...] = ()


@dataclass(frozen=True)
class PageNames:
    """The names a page of events shows: case references, staff, parsed details by seq."""

    labels: dict[uuid.UUID, str]
    who: Who
    details: dict[int, tuple[Detail, ...]] = field(default_factory=dict)

    def case_link(self, case_id: uuid.UUID) -> Link:
        """The case by reference number, linked to its access history."""
        return _case_link(self, case_id)

    def object_link(self, event: AuditEvent) -> Link | None:
        """The event's object as a link, when the auditor has a page for it."""
        object_id = parse_uuid(event.object_id or "")
        if object_id is None:
            return None
        return _object_link(self, event.object_type or "", object_id)


def page_names(
    session: Session,
    events: list[AuditEvent],
    *,
    user_ids: Iterable[uuid.UUID | None] = (),
    organisation_ids: Iterable[uuid.UUID | None] = (),
    case_ids: Iterable[uuid.UUID] = (),
) -> PageNames:
    """Everything ``events`` (and the page's other ids) need, in one query of each kind."""
    parsed = {e.seq: e.details_dict for e in events}
    ids = _ids_in(parsed.values())
    cases = {*case_ids, *(e.case_id for e in events if e.case_id), *_case_ids_in(parsed.values())}
    objects = [parse_uuid(e.object_id or "") for e in events if e.object_type]
    who = who_for_events(
        session, events, [*user_ids, *ids, *objects], [*organisation_ids, *ids, *objects]
    )
    names = PageNames(case_labels(session, cases), who)
    names.details.update({seq: present(d, names) for seq, d in parsed.items()})
    return names


def present(details: dict[str, Any], names: PageNames) -> tuple[Detail, ...]:
    """An event's details as labelled items, ids turned into names and links where known."""
    return tuple(_item(str(key), value, names) for key, value in details.items())


def _item(key: str, value: Any, names: PageNames) -> Detail:
    label = DETAIL_LABELS.get(key)
    text = str(label) if label is not None else None
    if isinstance(value, dict):
        return Detail(key, text, children=present(value, names))
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, dict | list) for v in values):
        nested = tuple(_item(str(i), v, names) for i, v in enumerate(values, 1))
        return Detail(key, text, children=nested)
    links = tuple(link for v in values if (link := _link(key, v, names)) is not None)
    if links and len(links) == len(values):
        return Detail(key, text, links=links)
    return Detail(key, text, text=", ".join(_scalar(v) for v in values))


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _link(key: str, value: Any, names: PageNames) -> Link | None:
    found = parse_uuid(value) if isinstance(value, str) else None
    if found is None:
        return None
    if key in CASE_KEYS:
        return _case_link(names, found)
    if key in REFERRAL_KEYS:
        return _object_link(names, "referral", found)
    if key == "grant_id":
        return Link(url_for("audit.emergency_grant", grant_id=found), str(found))
    return _staff_link(names, found)


def _object_link(names: PageNames, object_type: str, object_id: uuid.UUID) -> Link | None:
    if object_type == "case":
        return _case_link(names, object_id)
    if object_type in ("user", "organisation"):
        return _staff_link(names, object_id)
    if object_type == "emergency_access":
        return Link(url_for("audit.emergency_grant", grant_id=object_id), str(object_id))
    if object_type == "referral":
        href = url_for("audit.index", object_type="referral", object_id=str(object_id))
        return Link(href, str(object_id))
    return None


def _case_link(names: PageNames, case_id: uuid.UUID) -> Link:
    href = url_for("audit.case_history", case_id=case_id)
    return Link(href, names.labels.get(case_id, str(case_id)), str(case_id))


def _staff_link(names: PageNames, found: uuid.UUID) -> Link | None:
    """A known account or organisation by name; None for any other id."""
    user = names.who.names.users.get(found)
    if user is not None:
        return Link(url_for("audit.user_activity", user_id=found), user, str(found))
    organisation = names.who.names.organisations.get(found)
    if organisation is not None:
        return Link(url_for("audit.index", organisation=str(found)), organisation, str(found))
    return None


def _walk(values: Iterable[Any]) -> Iterator[tuple[str, Any]]:
    """Every (key, scalar) pair of the details, however deep."""
    for details in values:
        stack: list[tuple[str, Any]] = list(details.items())
        while stack:
            key, value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.items())
            elif isinstance(value, list):
                stack.extend((key, v) for v in value)
            else:
                yield key, value


def _ids_in(values: Iterable[dict[str, Any]]) -> set[uuid.UUID]:
    """The ids in details that are not cases (they may name an account or organisation)."""
    return {
        found
        for key, value in _walk(values)
        if key not in CASE_KEYS
        and isinstance(value, str)
        and (found := parse_uuid(value)) is not None
    }


def _case_ids_in(values: Iterable[dict[str, Any]]) -> set[uuid.UUID]:
    return {
        found
        for key, value in _walk(values)
        if key in CASE_KEYS and isinstance(value, str) and (found := parse_uuid(value)) is not None
    }
