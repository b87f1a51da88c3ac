"""ISO code lists the directory validates against: countries (3166-1 alpha-2) and languages.

Both come from the CLDR data that Babel ships, through :mod:`core.i18n.names`, which also
names them in the reader's language.
"""

from __future__ import annotations

from core.i18n.names import (
    country_codes,
    country_name,
    is_country,
    is_language,
    language_codes,
    language_name,
)

__all__ = [
    "country_codes",
    "country_name",
    "is_country",
    "is_language",
    "language_codes",
    "language_name",
]
