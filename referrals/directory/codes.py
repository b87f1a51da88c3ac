"""ISO code lists the directory validates against: countries (3166-1 alpha-2) and languages.

Both come from the CLDR data that Babel already ships, so no list is kept by hand.
"""

from __future__ import annotations

from functools import cache

from babel import Locale

#: ISO 639-3 codes of languages common among returnees that CLDR does not list on its own.
EXTRA_LANGUAGES = frozenset({"prs"})


@cache
def country_codes() -> frozenset[str]:
    """Two-letter country codes (XK, Kosovo's user-assigned code, included)."""
    return frozenset(k for k in map(str, Locale("en").territories) if len(k) == 2 and k.isalpha())


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 (two-letter) and ISO 639-2/3 (three-letter) language codes."""
    names = map(str, Locale("en").languages)
    return frozenset(k for k in names if k.isalpha() and k.islower()) | EXTRA_LANGUAGES


def is_country(code: str) -> bool:
    return code.upper() in country_codes()


def is_language(code: str) -> bool:
    return code.lower() in language_codes()


def language_name(code: str) -> str:
    """The English name of a language code, or the code itself when CLDR has none."""
    return str(Locale("en").languages.get(code, code))


def country_name(code: str) -> str:
    return str(Locale("en").territories.get(code, code))
