"""Who did it: the names of staff accounts, organisations and roles on the auditor's pages.

Staff are not the data subjects: an auditor needs their names to answer "who". ``auth`` owns
accounts and audit may not import it, so auth answers ``audit.signals.staff_names_collecting``
once per page, for every id on it (one query for accounts, one for organisations). An id that
nothing knows any more is shown as a deleted account with its short id.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.signals import staff_names_collecting
from core.forms import parse_uuid
from core.signals import collect


@dataclass(frozen=True)
class StaffNames:
    """What a receiver knows: account display names, organisation names, role labels."""

    users: Mapping[uuid.UUID, str] = field(default_factory=dict)
    organisations: Mapping[uuid.UUID, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Named:
    """An account or organisation as shown: its name, or None when it no longer exists."""

    id: uuid.UUID
    name: str | None

    @property
    def short(self) -> str:
        """The first eight hex digits, enough to tell deleted accounts apart."""
        return self.id.hex[:8]


@dataclass(frozen=True)
class Who:
    """The names on one page, looked up once; templates ask it for each id."""

    names: StaffNames

    def user(self, user_id: uuid.UUID) -> Named:
        return Named(user_id, self.names.users.get(user_id))

    def account(self, text: str | None) -> uuid.UUID | None:
        """The account id written in ``text`` (an event's object id), if it is one."""
        return parse_uuid(text)

    def organisation(self, organisation_id: uuid.UUID) -> Named:
        return Named(organisation_id, self.names.organisations.get(organisation_id))

    def role(self, code: str | None) -> str:
        return self.names.roles.get(code, code) if code else ""


def who(
    session: Session,
    user_ids: Iterable[uuid.UUID | None] = (),
    organisation_ids: Iterable[uuid.UUID | None] = (),
) -> Who:
    """The names of the given accounts and organisations, in one round of queries."""
    users = {u for u in user_ids if u is not None}
    organisations = {o for o in organisation_ids if o is not None}
    merged = StaffNames({}, {}, {})
    for found in _collect(session, users, organisations):
        merged = StaffNames(
            {**merged.users, **found.users},
            {**merged.organisations, **found.organisations},
            {**merged.roles, **found.roles},
        )
    return Who(merged)


def _collect(
    session: Session, users: Collection[uuid.UUID], organisations: Collection[uuid.UUID]
) -> list[StaffNames]:
    return collect(
        staff_names_collecting,
        None,
        StaffNames,
        session=session,
        user_ids=users,
        organisation_ids=organisations,
    )


def who_for_events(
    session: Session,
    events: Iterable[AuditEvent],
    user_ids: Iterable[uuid.UUID | None] = (),
    organisation_ids: Iterable[uuid.UUID | None] = (),
) -> Who:
    """The names of the actors of ``events``, plus any other ids the page shows."""
    events = list(events)
    return who(
        session,
        [*(e.actor_user_id for e in events), *user_ids],
        [*(e.actor_organisation_id for e in events), *organisation_ids],
    )
