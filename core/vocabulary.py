"""Labels of closed vocabularies: every domain's ``vocabulary.py`` builds on these two helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from flask import Flask


def label_in(
    labels: Mapping[Any, object], value: StrEnum | str | None, enum: type[StrEnum] | None = None
) -> object:
    """The translated label of a stored value in ``labels`` (the value itself when unknown)."""
    if value is None:
        return ""
    if enum is not None and not isinstance(value, StrEnum):
        try:
            value = enum(value)
        except ValueError:
            return value
    return labels.get(value, value)


def choices_in(labels: Mapping[Any, object], enum: type[StrEnum]) -> list[tuple[str, str]]:
    """Form choices (stored value, translated label) of every member of ``enum``."""
    return [(member.value, str(labels[member])) for member in enum]


def by_enum(
    pairs: tuple[tuple[StrEnum, object], ...],
) -> dict[type[StrEnum], dict[StrEnum, object]]:
    """Labels grouped by their enum. Members of different enums with the same value ("other")
    are equal as strings, so one flat dict would keep only the last of their labels."""
    grouped: dict[type[StrEnum], dict[StrEnum, object]] = {}
    for member, text in pairs:
        grouped.setdefault(type(member), {})[member] = text
    return grouped


class Vocabulary:
    """A domain's coded lists with their translated labels, kept by enum: the one
    implementation of ``label`` and ``choices`` every ``vocabulary.py`` exposes."""

    def __init__(self, pairs: Iterable[tuple[StrEnum, object]]) -> None:
        self.by_enum = by_enum(tuple(pairs))

    def label(self, value: StrEnum | str | None, enum: type[StrEnum] | None = None) -> object:
        """The translated label of a stored value (the value itself when unknown)."""
        kind = enum or (type(value) if isinstance(value, StrEnum) else None)
        if kind is not None:
            return label_in(self.by_enum.get(kind, {}), value, kind)
        for labels in self.by_enum.values():  # a bare stored value: the first list knowing it
            found = labels.get(value)  # type: ignore[arg-type]
            if found is not None:
                return found
        return "" if value is None else value

    def choices(self, enum: type[StrEnum]) -> list[tuple[str, str]]:
        """Form choices (stored value, translated label) of every member of ``enum``."""
        return choices_in(self.by_enum[enum], enum)


#: Where ``app.extensions`` keeps the app's vocabularies, by the name templates use.
_EXTENSION = "homeward_vocabularies"


def register(
    app: Flask, enum: type[StrEnum], labels: Mapping[Any, object], name: str | None = None
) -> None:
    """Make ``enum`` known to templates as ``name`` (its class name by default), labelled by
    ``labels``: ``value|label(name)`` is its label, ``vocabulary(name)`` its members."""
    vocabularies: dict[str, tuple[type[StrEnum], Mapping[Any, object]]]
    vocabularies = app.extensions.setdefault(_EXTENSION, {})
    name = name or enum.__name__
    if name in vocabularies and vocabularies[name][0] is not enum:
        raise ValueError(f"two vocabularies are called {name!r}: give one another name")
    vocabularies[name] = (enum, labels)


def init_app(app: Flask) -> None:
    """The ``label`` template filter and the ``vocabulary`` template global."""
    vocabularies: dict[str, tuple[type[StrEnum], Mapping[Any, object]]]
    vocabularies = app.extensions.setdefault(_EXTENSION, {})

    def label(value: StrEnum | str | None, name: str) -> object:
        enum, labels = vocabularies[name]
        return label_in(labels, value, enum)

    def vocabulary(name: str) -> type[StrEnum]:
        return vocabularies[name][0]

    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["vocabulary"] = vocabulary
