"""Lists of cases read their people in a fixed number of queries, whatever the number of rows.

A list page selects its cases with ``options(PEOPLE)`` (the people in one more query) and
calls :func:`unwrap_people_keys` before the template decrypts names: the data keys of every
person on the page come in one query and are unwrapped into the session's key cache, the same
cache a single read fills (so nothing is unwrapped twice and a rollback forgets them all).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session, selectinload

from casework.models import Case, Person
from core.crypto import ciphertext_columns, preload_keys

#: The loader option that brings each listed case's person along (one query for the page).
PEOPLE = selectinload(Case.person)

#: :data:`PEOPLE` for a list that shows only names: the person's other values stay in the
#: database (ORM-loaded, a page of fifty people cost more in columns than in decrypting).
#: Reading another of them later loads it row by row, which the pages' statement bounds catch.
PEOPLE_NAMES = selectinload(Case.person).load_only(
    *ciphertext_columns(Person, "name_original", "name_latin"), Person.erased_at, Person.version
)


def unwrap_people_keys(db: Session, cases: Iterable[Case]) -> None:
    """Unwrap the data keys of the (not erased) people of ``cases`` with one query."""
    preload_keys(db, {c.person.id for c in cases if c.person.erased_at is None})
