"""Calendars: Gregorian, and the Solar Hijri calendar (Afghanistan's official calendar).

Dates are stored Gregorian (ISO). Conversion to and from Solar Hijri is jdatetime's (the
Jalali calendar is the same arithmetic: year starts at the March equinox, months of 31, 30
and 29/30 days); Afghanistan names the months after the zodiac (Hamal, Sawr, ...), not the
Iranian names jdatetime carries, so the names are kept here by language.

A year of birth known only in Solar Hijri (``1370``) becomes the Gregorian year in which most
of it falls: a Solar Hijri year runs from about 21 March to 20 March, so nine and a half of
its months lie in Gregorian year ``SH + 621`` (1370 -> 1991).
"""

from __future__ import annotations

import re
from datetime import date

import jdatetime

from core.exceptions import HomewardError
from core.i18n.digits import to_ascii

GREGORIAN = "gregorian"
SOLAR_HIJRI = "solar_hijri"
CALENDARS = frozenset({GREGORIAN, SOLAR_HIJRI})

#: Calendars by locale when HOMEWARD_CALENDARS says nothing for it.
DEFAULT_CALENDARS = {"fa_AF": SOLAR_HIJRI, "ps": SOLAR_HIJRI}

#: The Afghan month names, by language; other languages use the Latin transliteration.
MONTHS = {
    "fa": ("حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله",
           "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت"),
    "ps": ("وری", "غویی", "غبرګولی", "چنګاښ", "زمری", "وږی",
           "تله", "لړم", "لیندۍ", "مرغومی", "سلواغه", "کب"),
    "en": ("Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sonbola",
           "Mizan", "Aqrab", "Qaws", "Jadi", "Dalw", "Hut"),
}  # fmt: skip

#: Gregorian year = Solar Hijri year + this, for most of the Solar Hijri year.
YEAR_OFFSET = 621

_DATE = re.compile(r"\A *(\d{3,4}) *([-/.]) *(\d{1,2}) *[-/.] *(\d{1,2}) *\Z")


class DateInputError(HomewardError, ValueError):
    """A date that cannot be read in any accepted form."""


def parse_calendars(text: str) -> dict[str, str]:
    """``"fa_AF=solar_hijri, ps=solar_hijri"`` -> a mapping; raises ValueError when malformed."""
    found: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        locale, sep, calendar = part.partition("=")
        if not sep or not locale.strip() or calendar.strip() not in CALENDARS:
            raise ValueError(f"{part!r} is not locale=gregorian or locale=solar_hijri")
        found[locale.strip()] = calendar.strip()
    return found


def calendar_for(locale: str, configured: dict[str, str] | None = None) -> str:
    """The calendar of a locale: the configured one (full locale, then language), else the
    default (Solar Hijri for fa_AF and ps), else Gregorian."""
    language = locale.split("_")[0]
    for table in (configured or {}, DEFAULT_CALENDARS):
        for key in (locale, language):
            if key in table:
                return table[key]
    return GREGORIAN


def to_solar_hijri(value: date) -> tuple[int, int, int]:
    """(year, month, day) in Solar Hijri of a Gregorian date."""
    converted = jdatetime.date.fromgregorian(date=value)
    return converted.year, converted.month, converted.day


def from_solar_hijri(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Solar Hijri date; DateInputError when there is no such day."""
    try:
        result: date = jdatetime.date(year, month, day).togregorian()
    except (ValueError, OverflowError) as exc:
        raise DateInputError(str(exc)) from exc
    return result


def month_name(month: int, language: str) -> str:
    return MONTHS.get(language, MONTHS["en"])[month - 1]


def solar_hijri_year_to_gregorian(year: int) -> int:
    """The Gregorian year in which most of the Solar Hijri year falls (1370 -> 1991)."""
    return year + YEAR_OFFSET


def parse_year(text: str, calendar: str) -> int:
    """A year in Latin or local digits; for a Solar Hijri reader a year before 1700 is a
    Solar Hijri year and is returned as its Gregorian year."""
    raw = to_ascii(text).strip(" ")
    if not raw.isdigit():
        raise DateInputError(text)
    year = int(raw)
    if calendar == SOLAR_HIJRI and year < 1700:
        return solar_hijri_year_to_gregorian(year)
    return year


def parse_date(text: str, calendar: str) -> date:
    """A date typed by a person: ISO ``yyyy-mm-dd`` (Gregorian), or ``yyyy/mm/dd`` in the
    reader's calendar; any digits. For a Solar Hijri reader a year before 1700 is always a
    Solar Hijri year (no Gregorian date Homeward keeps is that old)."""
    match = _DATE.match(to_ascii(text))
    if not match:
        raise DateInputError(text)
    year, sep, month, day = int(match[1]), match[2], int(match[3]), int(match[4])
    if calendar == SOLAR_HIJRI and (year < 1700 or sep != "-"):
        if year >= 1700:
            raise DateInputError(text)
        return from_solar_hijri(year, month, day)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateInputError(text) from exc


def input_value(value: date, calendar: str) -> str:
    """How a date is written back into a text input (ISO, or yyyy/mm/dd Solar Hijri)."""
    if calendar == SOLAR_HIJRI:
        year, month, day = to_solar_hijri(value)
        return f"{year:04d}/{month:02d}/{day:02d}"
    return value.isoformat()
