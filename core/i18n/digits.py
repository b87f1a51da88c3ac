"""Digits: shown in the locale's own digits where CLDR says so, read back in any digits.

CLDR gives each locale a default numbering system: ``arabext`` (Persian digits) for fa
and ps, ``arab`` (Arabic-Indic digits) for ar_EG or ar_IQ, ``latn`` for ar, ur, ru, tr, fr and
en. Babel knows the system's name and symbols but writes Latin digits, so the digits are
swapped here. Identifiers (case and referral numbers, document numbers, P-codes) are never
passed through :func:`localise`: they keep Latin digits everywhere.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale
from babel.numbers import format_decimal

from core.i18n.names import current_locale

#: The digits of CLDR's numbering systems that Homeward's locales use.
DIGITS = {
    "latn": "0123456789",
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}


@cache
def _table(system: str) -> dict[int, str] | None:
    digits = DIGITS.get(system)
    if digits is None or system == "latn":
        return None
    return str.maketrans(dict(zip("0123456789", digits, strict=True)))


def numbering_system(locale: str | Locale | None = None) -> str:
    """CLDR's default numbering system of the locale (``latn`` when Babel has none)."""
    return str(current_locale(locale).default_numbering_system or "latn")


def localise(text: str, locale: str | Locale | None = None) -> str:
    """``text`` with its ASCII digits in the locale's digits."""
    table = _table(numbering_system(locale))
    return text.translate(table) if table else text


def to_ascii(text: str) -> str:
    """Every decimal digit (Persian, Arabic-Indic, full-width, ...) as an ASCII digit, and
    the Arabic decimal and thousands separators as ``.`` and nothing."""
    text = text.replace("\u066b", ".").replace("\u066c", "")
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def format_number(value: float | int | None, locale: str | Locale | None = None) -> str:
    """A number with the locale's symbols and digits (Persian digits and separators for fa_AF)."""
    if value is None:
        return ""
    loc = current_locale(locale)
    text = format_decimal(value, locale=loc, numbering_system="default")
    return localise(text, loc)
