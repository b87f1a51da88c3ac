"""Errors of the crypto layer; each message is one line and never holds plaintext or keys."""

from __future__ import annotations

from core.exceptions import HomewardError


class CryptoError(HomewardError, RuntimeError):
    """Base class: something about encrypted data or its keys is wrong."""


class IntegrityError(CryptoError):
    """A ciphertext fails authentication: altered, moved to another row or column, or foreign.

    Raised instead of ever returning wrong data.
    """


class SubjectErasedError(CryptoError):
    """The subject's data key was destroyed (crypto-shredded); their data cannot be read."""


class MasterKeyError(CryptoError):
    """The master key needed is missing from the key material, or does not match the database."""


class UnknownBlindIndexError(CryptoError):
    """A blind index name was used that nobody registered."""


class SearchTooBroadError(CryptoError):
    """A search matched more candidates than the configured ceiling; ask for more terms.

    ``at_least``: how many people at least match (the ceiling that was passed), for the
    answer "more than N people match"; None where the ceiling is not a number to show.
    """

    def __init__(self, message: str, *, at_least: int | None = None) -> None:
        super().__init__(message)
        self.at_least = at_least
