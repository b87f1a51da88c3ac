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
from babel.numbers import format_decimal, get_group_symbol

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


@cache
def _whole_number_format(locale: str) -> tuple[str, str, int, int, str] | None:
    """(prefix, group symbol, first and later group sizes, suffix) of the locale's decimal
    pattern for a non-negative whole number, in Latin digits (as Babel's ``format_decimal``
    writes by default); None where the pattern needs Babel itself (padding, scale, a
    scientific or fractional part, quotes)."""
    loc = Locale.parse(locale)
    pattern = loc.decimal_formats[None]
    if pattern.int_prec[0] > 1 or pattern.scale != 0 or pattern.exp_prec or pattern.frac_prec[0]:
        return None
    group = get_group_symbol(loc, numbering_system="latn")
    prefix, suffix = pattern.prefix[0], pattern.suffix[0]
    if "'" in group + prefix + suffix:
        return None  # Babel takes quotes out of what it wrote (de_CH's apostrophe too)
    first, later = pattern.grouping
    return prefix, group, first, later, suffix


def whole_number(value: int, locale: str | Locale) -> str:
    """``babel.numbers.format_decimal(value, locale=locale)`` for a whole number, character for
    character, several times faster: the pattern is read once per locale (a figures page
    shows a few thousand counts)."""
    found = _whole_number_format(str(locale)) if value >= 0 else None
    if found is None:
        return str(format_decimal(value, locale=locale))
    prefix, group, size, later, suffix = found
    digits = str(value)
    parts: list[str] = []
    while len(digits) > size:
        parts.append(digits[-size:])
        digits = digits[:-size]
        size = later
    parts.append(digits)
    return prefix + group.join(reversed(parts)) + suffix
