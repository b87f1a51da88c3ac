"""Names of countries and languages from CLDR (Babel), in the reader's language.

Stored values stay codes: ISO 3166-1 alpha-2 for countries, ISO 639 for languages. Only what a
person reads becomes a name ("AF" -> "Afghanistan", "افغانستان", "Афганистан"). Pickers list
the names sorted in the reader's language, with the code as the value.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale, UnknownLocaleError
from flask import has_request_context
from flask_babel import get_locale

#: ISO 639-3 codes CLDR does not name on its own, and the CLDR locale that names them.
LANGUAGE_ALIASES = {"prs": "fa_AF"}

#: Names for user-assigned codes in CLDR versions that lack them (Kosovo's XK came late to
#: some languages). Keyed by code, then language; English is the last resort.
COUNTRY_FALLBACKS: dict[str, dict[str, str]] = {
    "XK": {"en": "Kosovo", "fa": "کوزوو", "ps": "کوسوو", "ar": "كوسوفو", "ur": "کوسووو",
           "ru": "Косово", "tr": "Kosova", "fr": "Kosovo"},
}  # fmt: skip


def current_locale(locale: str | Locale | None = None) -> Locale:
    """The given locale, else the request's, else English."""
    if isinstance(locale, Locale):
        return locale
    if locale:
        try:
            return Locale.parse(locale)
        except (ValueError, UnknownLocaleError):
            return Locale("en")
    if has_request_context():
        found = get_locale()
        if found is not None:
            return found
    return Locale("en")


@cache
def country_codes() -> frozenset[str]:
    """Two-letter country codes CLDR knows, XK (Kosovo's user-assigned code) included."""
    known = (k for k in map(str, Locale("en").territories) if len(k) == 2 and k.isalpha())
    return frozenset(known) | frozenset(COUNTRY_FALLBACKS)


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 (two-letter) and ISO 639-2/3 (three-letter) language codes."""
    names = map(str, Locale("en").languages)
    return frozenset(k for k in names if k.isalpha() and k.islower()) | frozenset(LANGUAGE_ALIASES)


def is_country(code: str) -> bool:
    return code.upper() in country_codes()


def is_language(code: str) -> bool:
    return code.lower() in language_codes()


def country_name(code: str | None, locale: str | Locale | None = None) -> str:
    """The country's name in the reader's language; an unknown code is shown as it is."""
    if not code:
        return ""
    loc = current_locale(locale)
    key = code.strip().upper()
    name = loc.territories.get(key)
    if name:
        return str(name)
    fallback = COUNTRY_FALLBACKS.get(key, {})
    return fallback.get(loc.language) or fallback.get("en") or code


def language_name(code: str | None, locale: str | Locale | None = None) -> str:
    """The language's name in the reader's language ("prs" -> "Dari", "دری")."""
    if not code:
        return ""
    loc = current_locale(locale)
    key = code.strip()
    key = LANGUAGE_ALIASES.get(key.lower(), key)
    name = loc.languages.get(key) or loc.languages.get(key.lower())
    if not name and loc.language != "en":
        name = Locale("en").languages.get(key)
    return str(name) if name else code


def sort_key(text: str) -> str:
    """Alphabetical order close enough to the locale's: marks dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    pairs = ((code, country_name(code, locale)) for code in country_codes())
    return tuple(sorted(pairs, key=lambda pair: sort_key(pair[1])))


@cache
def _language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    common = {c for c in language_codes() if len(c) == 2} | set(LANGUAGE_ALIASES)
    pairs = ((code, language_name(code, locale)) for code in common)
    return tuple(sorted(pairs, key=lambda pair: sort_key(pair[1])))


def country_choices(locale: str | Locale | None = None) -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name in the reader's language."""
    return list(_country_choices(str(current_locale(locale))))


def language_choices(locale: str | Locale | None = None) -> list[tuple[str, str]]:
    """(code, name) of the languages with a two-letter code, and Dari, sorted by name."""
    return list(_language_choices(str(current_locale(locale))))


def country_code_of(text: str, locale: str | Locale | None = None) -> str | None:
    """The code of a country written as its code ("XK") or its name in the reader's language
    or English ("Kosovo", "Косово"); None when it is neither."""
    text = text.strip()
    if len(text) == 2 and text.isascii() and is_country(text):
        return text.upper()
    wanted = sort_key(text)
    for code, name in (*country_choices(locale), *country_choices("en")):
        if sort_key(name) == wanted:
            return code
    return None
