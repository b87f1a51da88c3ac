"""The lists a deployment can set, declared by the domains that use them.

Each domain declares its list once, at import of its ``vocabulary.py``, with the entries that
ship with Homeward (:func:`define`). The registry is static, like the enums it replaces, so
services and queries read it without an application.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: A list's name and an entry's code: lower-case letters, digits and underscores.
CODE = re.compile(r"\A[a-z][a-z0-9_]{0,29}\Z")


@dataclass(frozen=True)
class ListSpec:
    """A list: its name (stable, stored), its title for administrators, the built-in entries
    in the order offered (code, translated label) and the codes that may not be retired
    because code relies on them."""

    name: str
    title: object
    builtin: tuple[tuple[str, object], ...]
    kept: frozenset[str] = frozenset()
    description: object = ""

    @property
    def builtin_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.builtin)


_LISTS: dict[str, ListSpec] = {}


def define(
    name: str,
    title: object,
    builtin: Iterable[tuple[str, object]],
    *,
    kept: Iterable[str] = (),
    description: object = "",
) -> ListSpec:
    """Declare the list ``name`` (a second declaration with the same codes returns the first).

    Raises ``ValueError`` for a bad name or code, a duplicate code, or a second, different
    definition of the same name."""
    entries = tuple((str(code), label) for code, label in builtin)
    codes = [code for code, _label in entries]
    bad = [code for code in [name, *codes] if not CODE.match(code)]
    if bad:
        raise ValueError(f"list {name!r}: not a code: {bad}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"list {name!r}: a code appears twice")
    kept_codes = frozenset(kept)
    if not kept_codes <= set(codes):
        raise ValueError(f"list {name!r}: kept codes must be built in")
    spec = ListSpec(name, title, entries, kept_codes, description)
    existing = _LISTS.get(name)
    if existing is not None and (existing.builtin_codes, existing.kept) != (
        spec.builtin_codes,
        spec.kept,
    ):
        raise ValueError(f"two different lists are called {name!r}")
    if existing is not None:
        return existing
    _LISTS[name] = spec
    return spec


def spec(name: str) -> ListSpec:
    """The list called ``name``; ``KeyError`` when no domain defined it."""
    return _LISTS[name]


def specs() -> list[ListSpec]:
    """Every defined list, by name."""
    return [_LISTS[name] for name in sorted(_LISTS)]
