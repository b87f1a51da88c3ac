"""Reads about staff accounts that other packages show."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.staff import StaffNames
from auth.forms import ROLE_LABELS
from auth.models import Organisation, User
from core.memo import remembered


def user_names(db: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """The display names of these users, by id (``None`` ids are skipped). Names read once
    in a request are kept for it (:func:`core.memo.remembered`): the case page's notes,
    panels and access history each ask, mostly for the same few colleagues; a user this
    session has loaded already (the signed-in one, whose own cases a caseworker's list
    shows) is not read again."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    known: dict[uuid.UUID, str] = remembered(db, "user_names", dict)
    missing = {i for i in wanted if i not in known}
    for user_id in list(missing):  # loaded in this session already (the signed-in user)
        user = db.identity_map.get(db.identity_key(User, user_id))
        if user is not None and "display_name" in user.__dict__:
            known[user_id] = user.display_name
            missing.discard(user_id)
    if missing:
        rows = db.execute(select(User.id, User.display_name).where(User.id.in_(missing)))
        known.update({row[0]: row[1] for row in rows})
    return {i: known[i] for i in wanted if i in known}


def staff_names_for_auditors(
    _sender: None,
    session: Session,
    user_ids: Collection[uuid.UUID],
    organisation_ids: Collection[uuid.UUID],
    **_extra: Any,
) -> StaffNames:
    """Audit's namer (``audit.signals.staff_names_collecting``): the display names of these
    staff accounts and the names of these organisations, one query each, and the role labels."""
    users: dict[uuid.UUID, str] = {}
    organisations: dict[uuid.UUID, str] = {}
    if user_ids:
        rows = session.execute(
            select(User.id, User.display_name).where(User.id.in_(list(user_ids)))
        )
        users = {row[0]: row[1] for row in rows}
    if organisation_ids:
        rows = session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_(list(organisation_ids))
            )
        )
        organisations = {row[0]: row[1] for row in rows}
    return StaffNames(users, organisations, {str(k): str(v) for k, v in ROLE_LABELS.items()})
