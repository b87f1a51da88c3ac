"""Administrators' changes to the lists a deployment can set (:mod:`core.lists`).

An administrator adds an entry (a new, stable code and its labels), changes the labels of any
entry per language, and retires an entry or offers it again. Built-in entries get a
``list_entry`` row the first time they are touched. Every change is checked against the
version the administrator's form was loaded at (a stale form raises :class:`EntryConflict`
and changes nothing), recorded in the audit log (list name, code and the languages changed;
labels are administrative vocabulary, kept out of the log like every value) and makes the
session read the list again (:func:`core.lists.queries.forget`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from audit import record
from core.clock import utcnow
from core.exceptions import ConflictError, ServiceError
from core.lists import queries
from core.lists.models import ListEntry
from core.lists.registry import CODE, ListSpec, spec
from core.security import Actor

#: The longest label an administrator may give (labels are shown in select boxes and badges).
LABEL_MAX = 120


class ListError(ServiceError):
    """An administrator's change to a list that is refused (the message says why)."""


class EntryConflict(ConflictError):
    """Someone changed the entry after the form was loaded; ``current`` is what is stored now
    (``{locale: label}`` and ``retired``), ``version`` its version (None: never touched)."""

    def __init__(self, current: dict[str, Any], version: int | None) -> None:
        super().__init__(_l("Someone else changed this entry while you were editing it."))
        self.current = current
        self.version = version


def list_spec(name: str) -> ListSpec | None:
    """The list called ``name``, or None when no domain defines it."""
    try:
        return spec(name)
    except KeyError:
        return None


def _object_id(name: str, code: str) -> str:
    return f"{name}:{code}"


#: Invisible format characters a label may hold: the zero-width (non-)joiner Persian and
#: other scripts spell with. Every other format character (bidi overrides and isolates,
#: byte-order mark...) could reorder or hide what caseworkers read, so it is refused.
JOINERS = frozenset({"\u200c", "\u200d"})


def _hidden(ch: str) -> bool:
    """A control, format (but the joiners), surrogate, private-use or unassigned character."""
    if ch in JOINERS:
        return False
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_labels(labels: Mapping[str, str | None], locales: list[str]) -> dict[str, str]:
    """The labels typed, trimmed, for the given locales only; blank ones left out. Raises
    ``ListError`` (naming the field ``label_<locale>``) for a label too long or with control
    characters."""
    found: dict[str, str] = {}
    for locale in locales:
        text = " ".join((labels.get(locale) or "").split())
        if not text:
            continue
        if len(text) > LABEL_MAX:
            raise ListError(
                _l("A label is at most %(n)d characters.", n=LABEL_MAX), field_for(locale)
            )
        if any(_hidden(ch) for ch in text):
            raise ListError(_l("A label cannot hold control characters."), field_for(locale))
        found[locale] = text
    return found


def field_for(locale: str) -> str:
    """The form field holding the label in ``locale``."""
    return f"label_{locale}"


def _row(session: Session, name: str, code: str) -> ListEntry | None:
    return session.get(ListEntry, (name, code))


def _state(row: ListEntry | None) -> dict[str, Any]:
    if row is None:
        return {"labels": {}, "retired": False}
    return {"labels": dict(row.labels or {}), "retired": bool(row.retired)}


def _check_version(session: Session, row: ListEntry | None, loaded: int | None) -> None:
    stored = row.version if row is not None else None
    if stored != loaded:
        raise EntryConflict(_state(row), stored)


def _flush(session: Session, name: str, code: str) -> None:
    """Flush, turning a concurrent save of the same entry into ``EntryConflict``."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        # The failed flush left the session unusable and a conflict keeps nothing of this
        # request: roll back, then read what the other save stored.
        session.rollback()
        queries.forget(session, name)
        row = _row(session, name, code)
        raise EntryConflict(_state(row), row.version if row else None) from exc


def _entry_or_refuse(session: Session, list_: ListSpec, code: str) -> ListEntry | None:
    """The stored row of entry ``code`` (None for an untouched built-in entry); ``ListError``
    when the list has no such entry."""
    row = _row(session, list_.name, code)
    if code in list_.builtin_codes:
        return row
    if row is None or not row.added:
        raise ListError(_l("This list has no such entry."))
    return row


def _new_code(session: Session, list_: ListSpec, code: str) -> str:
    """``code`` trimmed, when it is a code and not yet in the list; else ``ListError``."""
    code = (code or "").strip()
    if not CODE.match(code):
        raise ListError(
            _l(
                "A code starts with a lower-case letter and holds only lower-case letters, "
                "digits and underscores (at most 30)."
            ),
            "code",
        )
    if code in queries.known(session, list_.name) or _row(session, list_.name, code) is not None:
        raise ListError(_l("This list already has an entry with this code."), "code")
    return code


def add_entry(
    session: Session,
    actor: Actor | None,
    list_: ListSpec,
    code: str,
    labels: Mapping[str, str | None],
    locales: list[str],
) -> ListEntry:
    """Add the entry ``code`` to ``list_`` with its labels (English required)."""
    code = _new_code(session, list_, code)
    found = clean_labels(labels, locales)
    if not found.get("en"):
        raise ListError(_l("Give the entry at least an English label."), field_for("en"))
    last = session.scalar(
        select(func.max(ListEntry.position)).where(ListEntry.list_name == list_.name)
    )
    row = ListEntry(
        list_name=list_.name,
        code=code,
        added=True,
        position=(last or 0) + 1,
        retired=False,
        labels=found,
        updated_at=utcnow(),
        updated_by_id=actor.user_id if actor else None,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # the same code added at the same moment by someone else
        session.rollback()
        queries.forget(session, list_.name)
        raise ListError(_l("This list already has an entry with this code."), "code") from exc
    queries.forget(session, list_.name)
    record(
        session,
        "list.entry_added",
        actor=actor,
        object_type="list_entry",
        object_id=_object_id(list_.name, code),
        details={"list": list_.name, "code": code, "languages": sorted(found)},
    )
    return row


def update_labels(
    session: Session,
    actor: Actor | None,
    list_: ListSpec,
    code: str,
    labels: Mapping[str, str | None],
    locales: list[str],
    loaded_version: int | None,
) -> list[str]:
    """Set the labels of entry ``code`` per language (a blank label removes the
    administrator's label there); returns the languages changed."""
    row = _entry_or_refuse(session, list_, code)
    _check_version(session, row, loaded_version)
    found = clean_labels(labels, locales)
    added = row is not None and row.added
    if added and not found.get("en"):
        raise ListError(_l("Give the entry at least an English label."), field_for("en"))
    before = dict(row.labels or {}) if row is not None else {}
    # Labels in languages the application no longer offers are kept as they were.
    wanted = {k: v for k, v in before.items() if k not in locales} | found
    changed = sorted(k for k in set(before) | set(wanted) if before.get(k) != wanted.get(k))
    if not changed:
        return []
    if row is None:
        row = ListEntry(list_name=list_.name, code=code, added=False, position=0, retired=False)
        session.add(row)
    row.labels = wanted
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id if actor else None
    _flush(session, list_.name, code)
    queries.forget(session, list_.name)
    record(
        session,
        "list.entry_updated",
        actor=actor,
        object_type="list_entry",
        object_id=_object_id(list_.name, code),
        details={"list": list_.name, "code": code, "languages": changed},
    )
    return changed


def set_retired(
    session: Session,
    actor: Actor | None,
    list_: ListSpec,
    code: str,
    retired: bool,
    loaded_version: int | None,
) -> bool:
    """Retire entry ``code`` (no longer offered, still readable) or offer it again; returns
    whether anything changed. Entries code relies on (``kept``) cannot be retired."""
    row = _entry_or_refuse(session, list_, code)
    _check_version(session, row, loaded_version)
    if retired and code in list_.kept:
        raise ListError(_l("Homeward relies on this entry: it cannot be retired."))
    if bool(row is not None and row.retired) == retired:
        return False
    if row is None:
        row = ListEntry(list_name=list_.name, code=code, added=False, position=0, labels={})
        session.add(row)
    row.retired = retired
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id if actor else None
    _flush(session, list_.name, code)
    queries.forget(session, list_.name)
    record(
        session,
        "list.entry_retired" if retired else "list.entry_offered",
        actor=actor,
        object_type="list_entry",
        object_id=_object_id(list_.name, code),
        details={"list": list_.name, "code": code},
    )
    return True
