"""Casework's part in backups: people decrypt on a restored copy, and a person erased after
the backup was taken is erased again when it is restored (the erasure journal's replay)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.erasure import erase_person
from casework.models import Person
from core.crypto import CryptoError, encrypted_attributes
from core.signals import BackupCheck

#: The reason recorded with a replayed erasure (the original reason stays in the journal's
#: source database, which is gone; the decision itself is in the restored audit log or lost).
REPLAY_REASON = "erasure replayed from the erasure journal on restore"


def on_erasure_replaying(
    _sender: Any, session: Session, subject_id: uuid.UUID, **_: Any
) -> bool | None:
    """Erase the person again (skeleton, data key, plain values); None when not a person."""
    person = session.get(Person, subject_id)
    if person is None or person.erased_at is not None:
        return None
    erase_person(session, None, person, REPLAY_REASON)
    return True


def on_backup_checking(_sender: Any, session: Session, sample: int, **_: Any) -> list[BackupCheck]:
    """Decrypt every encrypted field of a sample of people who are not erased."""
    people = session.scalars(
        select(Person).where(Person.erased_at.is_(None)).order_by(func.random()).limit(sample)
    ).all()
    fields = list(encrypted_attributes(Person))
    failed = 0
    for person in people:
        try:
            for name in fields:
                getattr(person, name)
        except CryptoError:
            failed += 1
    ok = failed == 0
    detail = f"{len(people) - failed} of {len(people)} sampled people decrypt"
    return [BackupCheck("people decrypt", ok, detail)]
