"""The exceptions every package builds on: domain exceptions derive from one of these.

``ServiceError`` is what a service refuses (its message is for the user, ``field`` names the
form field at fault); ``ConflictError`` is a lost race (someone changed the record first, a
409); ``HomewardError`` is the root, for everything that is not a refusal (configuration,
keys, crypto, a broken audit chain). ``ServiceError`` is also a ``ValueError``, as the
per-domain service errors it replaces were, so ``except ValueError`` keeps catching them.
"""

from __future__ import annotations

from typing import Any


class HomewardError(Exception):
    """The root of Homeward's own exceptions."""


class InvalidDataError(HomewardError, ValueError):
    """Data read from a file, a definition or a stored value is not valid."""


class ServiceError(HomewardError, ValueError):
    """A change a service refuses; ``message`` is for the user, ``field`` names the form field
    at fault (None when the refusal is about the whole form)."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else changed the record first (answered, cancelled, saved, or it expired)."""


class EditConflict(ConflictError):
    """Someone saved the record after this form was loaded; ``current`` is what is stored."""

    def __init__(self, current: dict[str, Any], version: int) -> None:
        super().__init__("the record changed since it was loaded")
        self.current = current
        self.version = version
