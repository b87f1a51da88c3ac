"""Reading a list as users see it: its entries in order, each with the label of their language.

The label of an entry in a locale is, in order: the administrator's label for that locale, for
its language without the territory (``fa`` for ``fa_AF``), the built-in translated label, the
administrator's English label, any label it has, and at last the code itself, so an entry is
never shown blank. Rows are read once per database session (``Session.info``); writers call
:func:`forget` after a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import has_request_context
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.lists.models import ListEntry
from core.lists.registry import ListSpec, spec

_CACHE = "homeward_lists"


@dataclass(frozen=True)
class Term:
    """One entry of a list as shown: code, label in the reader's language, and its state."""

    code: str
    label: str
    builtin: bool
    retired: bool
    #: The administrator's labels by locale (empty for an untouched built-in entry).
    labels: dict[str, str] = field(default_factory=dict)
    version: int | None = None


@dataclass(frozen=True)
class _Row:
    code: str
    added: bool
    position: int
    retired: bool
    labels: dict[str, str]
    version: int


def _rows(session: Session, name: str) -> dict[str, _Row]:
    cache: dict[str, dict[str, _Row]] = session.info.setdefault(_CACHE, {})
    if name not in cache:
        found = session.scalars(select(ListEntry).where(ListEntry.list_name == name))
        cache[name] = {
            e.code: _Row(e.code, e.added, e.position, e.retired, dict(e.labels or {}), e.version)
            for e in found
        }
    return cache[name]


def forget(session: Session, name: str | None = None) -> None:
    """Drop what this session read of list ``name`` (every list when None) after a change."""
    cache: dict[str, object] = session.info.get(_CACHE, {})
    if name is None:
        cache.clear()
    else:
        cache.pop(name, None)


def _locale_code(locale: str | None) -> str:
    if locale:
        return locale
    if has_request_context():
        return str(get_locale() or "en")
    return "en"


def _builtin_label(label: object, locale: str) -> str:
    if not has_request_context():
        return str(label)
    current = str(get_locale() or "")
    if current == locale:
        return str(label)
    with force_locale(locale):
        return str(label)


def resolve(labels: dict[str, str], builtin: object | None, locale: str, code: str) -> str:
    """The label of an entry in ``locale`` (the order is in the module docstring)."""
    language = locale.split("_")[0]
    for candidate in (labels.get(locale), labels.get(language)):
        if candidate:
            return candidate
    if builtin is not None:
        return _builtin_label(builtin, locale)
    for candidate in (labels.get("en"), *labels.values()):
        if candidate:
            return candidate
    return code


def terms(session: Session, name: str, *, locale: str | None = None) -> list[Term]:
    """Every entry of list ``name``, retired ones included: the built-in entries in their
    order, then the added ones by position and code."""
    list_spec: ListSpec = spec(name)
    rows = _rows(session, name)
    where = _locale_code(locale)
    found: list[Term] = []
    for code, builtin_label in list_spec.builtin:
        row = rows.get(code)
        labels = row.labels if row else {}
        found.append(
            Term(
                code,
                resolve(labels, builtin_label, where, code),
                True,
                bool(row and row.retired),
                labels,
                row.version if row else None,
            )
        )
    added = sorted(
        (row for row in rows.values() if row.added and row.code not in list_spec.builtin_codes),
        key=lambda row: (row.position, row.code),
    )
    found += [
        Term(r.code, resolve(r.labels, None, where, r.code), False, r.retired, r.labels, r.version)
        for r in added
    ]
    return found


def term(session: Session, name: str, code: str, *, locale: str | None = None) -> Term | None:
    """The entry ``code`` of list ``name``, or None when the list has no such entry."""
    return next((t for t in terms(session, name, locale=locale) if t.code == code), None)


def label(session: Session, name: str, code: str | None, *, locale: str | None = None) -> str:
    """The label of ``code`` in list ``name`` (retired entries too); the code itself when the
    list does not know it (a value stored before the entry existed), "" for None."""
    if not code:
        return ""
    found = term(session, name, code, locale=locale)
    return found.label if found else code


def labels(session: Session, name: str, *, locale: str | None = None) -> dict[str, str]:
    """``{code: label}`` of every entry of list ``name``, retired ones included."""
    return {t.code: t.label for t in terms(session, name, locale=locale)}


def choices(
    session: Session, name: str, *, keep: Iterable[str] = (), locale: str | None = None
) -> list[tuple[str, str]]:
    """Form choices of list ``name``: every entry not retired, plus the retired entries among
    ``keep`` (the values a record already holds, so editing it does not lose them)."""
    kept = set(keep)
    return [
        (t.code, t.label)
        for t in terms(session, name, locale=locale)
        if not t.retired or t.code in kept
    ]


def known(session: Session, name: str) -> set[str]:
    """Every code of list ``name``, retired ones included."""
    rows = _rows(session, name)
    return set(spec(name).builtin_codes) | {row.code for row in rows.values() if row.added}


def offered(session: Session, name: str) -> set[str]:
    """The codes of list ``name`` that are offered (not retired)."""
    rows = _rows(session, name)
    return {code for code in known(session, name) if not (code in rows and rows[code].retired)}


def current_label(name: str, code: str | None) -> str:
    """``label`` in the current request's session and language (the ``term`` filter)."""
    from core.db import get_session

    return label(get_session(), name, code)


def current_choices(name: str, *, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """``choices`` in the current request's session and language (for forms)."""
    from core.db import get_session

    return choices(get_session(), name, keep=keep)
