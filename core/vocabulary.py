"""Labels of closed vocabularies: every domain's ``vocabulary.py`` builds on these two helpers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


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
