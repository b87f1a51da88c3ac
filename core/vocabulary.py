"""Labels of closed vocabularies: every domain's ``vocabulary.py`` builds on these helpers.

Labels are kept by enum, never by stored value alone: ``Sex``, ``DocumentType`` and
``Vulnerability`` all store "other", so a label looked up by the value would be whichever list
was written last ("Other document" offered as a sex).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, overload

from flask import Flask, g, has_request_context

from core.i18n.catalogue import current_translations


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


def own_labels(enum: type[StrEnum], labels: Mapping[Any, object]) -> dict[StrEnum, object]:
    """``labels`` checked to be those of ``enum``: every member labelled, keyed by its own
    member (a flat dict of several enums keeps one key for a shared value, of the first
    enum, so the other enum's member is missing and this raises ``ValueError``)."""
    own = {key: text for key, text in labels.items() if type(key) is enum}
    missing = [member.name for member in enum if member not in own]
    foreign = [key for key in labels if type(key) is not enum]
    if missing or foreign:
        raise ValueError(
            f"labels of {enum.__name__} must be keyed by its own members only: "
            f"missing {missing}, foreign {foreign[:3]}"
        )
    return own


class Vocabulary:
    """A domain's coded lists with their translated labels, kept by enum: the one
    implementation of ``label`` and ``choices`` every ``vocabulary.py`` exposes."""

    def __init__(self, pairs: Iterable[tuple[StrEnum, object]]) -> None:
        grouped = by_enum(tuple(pairs))
        self.by_enum = {enum: own_labels(enum, labels) for enum, labels in grouped.items()}

    @overload
    def label(self, value: StrEnum | None) -> object: ...
    @overload
    def label(self, value: StrEnum | str | None, enum: type[StrEnum]) -> object: ...
    def label(self, value: StrEnum | str | None, enum: type[StrEnum] | None = None) -> object:
        """The translated label of a stored value of ``enum`` (the value itself when unknown).

        A bare string needs its enum: the same value ("other") means different things in
        different lists. Raises ``TypeError`` without one, ``KeyError`` for a foreign list."""
        kind = enum or (type(value) if isinstance(value, StrEnum) else None)
        if kind is None:
            if value is None:
                return ""
            raise TypeError("label() of a stored value needs its enum: label(value, Enum)")
        return label_in(self.by_enum[kind], value, kind)

    def choices(self, enum: type[StrEnum]) -> list[tuple[str, str]]:
        """Form choices (stored value, translated label) of every member of ``enum``."""
        return choices_in(self.by_enum[enum], enum)


#: Where ``g`` keeps the labels a request has written out, by catalogue, vocabulary and value.
_KEPT_LABELS = "_homeward_labels"

#: Where ``app.extensions`` keeps the app's vocabularies, by the name templates use.
_EXTENSION = "homeward_vocabularies"


def register(
    app: Flask, enum: type[StrEnum], labels: Mapping[Any, object], name: str | None = None
) -> None:
    """Make ``enum`` known to templates as ``name`` (its class name by default), labelled by
    ``labels`` (this enum's own, e.g. ``VOCABULARY.by_enum[enum]``): ``value|label(name)`` is
    its label, ``vocabulary(name)`` its members. Raises ``ValueError`` for a mixed mapping."""
    vocabularies: dict[str, tuple[type[StrEnum], Mapping[Any, object]]]
    vocabularies = app.extensions.setdefault(_EXTENSION, {})
    name = name or enum.__name__
    if name in vocabularies and vocabularies[name][0] is not enum:
        raise ValueError(f"two vocabularies are called {name!r}: give one another name")
    vocabularies[name] = (enum, own_labels(enum, labels))


def registered(app: Flask) -> dict[str, tuple[type[StrEnum], Mapping[Any, object]]]:
    """Every vocabulary templates know, by name: its enum and labels."""
    return dict(app.extensions.get(_EXTENSION, {}))


def init_app(app: Flask) -> None:
    """The ``label`` template filter and the ``vocabulary`` template global."""
    vocabularies: dict[str, tuple[type[StrEnum], Mapping[Any, object]]]
    vocabularies = app.extensions.setdefault(_EXTENSION, {})

    def label(value: StrEnum | str | None, name: str) -> object:
        enum, labels = vocabularies[name]
        if not has_request_context() or not isinstance(value, str | None):
            return label_in(labels, value, enum)
        # A list page labels the same few values on every row: each is translated once a
        # request and catalogue (an e-mail in its recipient's language has its own).
        kept: dict[tuple[object, str, object], str] = g.setdefault(_KEPT_LABELS, {})
        key = (current_translations(), name, value)
        found = kept.get(key)
        if found is None:
            found = kept[key] = str(label_in(labels, value, enum))
        return found

    def vocabulary(name: str) -> type[StrEnum]:
        return vocabularies[name][0]

    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["vocabulary"] = vocabulary
