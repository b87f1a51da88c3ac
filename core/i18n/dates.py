"""Dates and times as the reader expects them: their locale, time zone, calendar and digits.

Every date shown passes through :func:`format_local_date` / :func:`format_local_datetime`
(the ``dateformat`` and ``datetimeformat`` template filters): Babel (through Flask-Babel, so in
the reader's time zone) for the Gregorian calendar, the Afghan month names for Solar Hijri,
then the locale's digits. In HTML a Solar Hijri date carries its Gregorian date in ``title``
(on hover) and in a span shown only in print.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pytz
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from flask import current_app, has_app_context, has_request_context
from flask_babel import format_date, format_datetime, format_time, to_user_timezone
from markupsafe import Markup

from core.i18n import calendars
from core.i18n.digits import format_number, localise
from core.i18n.names import current_locale

#: Zones offered first in pickers: where Homeward's users work.
COMMON_ZONES = (
    "Asia/Kabul", "Asia/Baghdad", "Asia/Dushanbe", "Asia/Tashkent", "Europe/Istanbul",
    "Asia/Karachi", "Africa/Dakar", "Asia/Tehran", "Europe/Berlin", "Europe/Brussels",
    "Europe/London", "Europe/Paris", "Europe/Rome", "Europe/Athens", "Europe/Belgrade",
    "Europe/Moscow", "Asia/Dubai", "Asia/Riyadh", "Africa/Cairo", "Africa/Lagos",
    "Africa/Nairobi", "America/New_York", "UTC",
)  # fmt: skip


def is_time_zone(name: str | None) -> bool:
    """A zone name zoneinfo knows ("Asia/Kabul", "UTC"), and so does pytz, which
    Flask-Babel converts with."""
    if not name or name != name.strip() or name not in pytz.all_timezones_set:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _zone_names() -> tuple[str, ...]:
    known = available_timezones() & set(pytz.all_timezones_set)
    rest = sorted(z for z in known if "/" in z and z not in COMMON_ZONES)
    return (*COMMON_ZONES, *rest)


def time_zone_choices() -> list[tuple[str, str]]:
    """The common zones, then every other zoneinfo knows, each once."""
    return [(z, z.replace("_", " ")) for z in _zone_names()]


@cache
def _parsed_calendars(text: str) -> dict[str, str]:
    """The setting parsed once per text (every date shown asks; callers only read it)."""
    return calendars.parse_calendars(text)


def configured_calendars() -> dict[str, str]:
    if not has_app_context():
        return {}
    settings = current_app.config.get("HOMEWARD_SETTINGS")
    return _parsed_calendars(settings.CALENDARS) if settings else {}


def calendar_of(locale: Locale) -> str:
    return calendars.calendar_for(str(locale), configured_calendars())


def _solar_hijri_text(value: date, locale: Locale) -> str:
    year, month, day = calendars.to_solar_hijri(value)
    return f"{day} {calendars.month_name(month, locale.language)} {year}"


def _local(value: date | datetime) -> date | datetime:
    """A datetime in the reader's time zone (naive ones are UTC); a date as it is."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return to_user_timezone(value)
    return value


def format_local_date(value: date | datetime | None, locale: str | None = None) -> str:
    """The date (a datetime's date in the reader's time zone) as plain text."""
    if value is None:
        return ""
    loc = current_locale(locale)
    if calendar_of(loc) == calendars.SOLAR_HIJRI:
        local = _local(value)
        day = local.date() if isinstance(local, datetime) else local
        return localise(_solar_hijri_text(day, loc), loc)
    return localise(str(format_date(value, "medium")), loc)


def format_local_datetime(value: datetime | None, locale: str | None = None) -> str:
    """Date and time in the reader's time zone as plain text."""
    if value is None:
        return ""
    loc = current_locale(locale)
    if calendar_of(loc) != calendars.SOLAR_HIJRI:
        return localise(str(format_datetime(value, "medium")), loc)
    local = _local(value)
    assert isinstance(local, datetime)
    day = _solar_hijri_text(local.date(), loc)
    time = str(format_time(value, "short"))
    pattern = str(loc.datetime_formats.get("medium", "{1} {0}"))
    return localise(pattern.replace("{1}", day).replace("{0}", time), loc)


def _gregorian_iso(value: date | datetime) -> str:
    local = _local(value)
    if isinstance(local, datetime):
        return local.strftime("%Y-%m-%d %H:%M")
    return local.isoformat()


def _markup(value: date | datetime, text: str) -> Markup:
    """A ``<time>`` isolated in a ``<bdi>`` (a date keeps its order inside right-to-left text);
    in Solar Hijri the Gregorian date on hover and in print."""
    loc = current_locale()
    machine = value.isoformat()
    if calendar_of(loc) != calendars.SOLAR_HIJRI:
        return Markup('<bdi><time datetime="{}">{}</time></bdi>').format(machine, text)
    gregorian = _gregorian_iso(value)
    return Markup(
        '<bdi><time datetime="{}" title="{}">{}<span class="print-only"> ({})</span></time></bdi>'
    ).format(machine, gregorian, text, gregorian)


#: Days kept written per app, by locale, calendar and day (at most this many; then emptied).
_DAYS_MAX = 20_000


def date_filter(value: date | datetime | None) -> Markup | str:
    """``{{ value|dateformat }}``: a <time> element, the Gregorian date on hover for SH.

    In a request, a day (a ``date``, no time zone to apply) is written once per app, locale
    and calendar, and kept: a page of due dates holds a few dozen different days, and every
    list page shows them. Outside a request (where the locale that writes may not be the one
    :func:`current_locale` names) nothing is kept."""
    if value is None:
        return ""
    if type(value) is not date or not has_request_context():
        return _markup(value, format_local_date(value))
    kept: dict[tuple[str, str, date], Markup] = current_app.extensions.setdefault(
        "homeward_days", {}
    )
    loc = current_locale()
    key = (str(loc), calendar_of(loc), value)
    shown = kept.get(key)
    if shown is None:
        if len(kept) >= _DAYS_MAX:
            kept.clear()
        shown = kept[key] = _markup(value, format_local_date(value))
    return shown


def datetime_filter(value: datetime | None) -> Markup | str:
    """``{{ value|datetimeformat }}``: date and time in the reader's time zone."""
    return "" if value is None else _markup(value, format_local_datetime(value))


def format_local_year(value: int, locale: str | None = None) -> str:
    """A (Gregorian) year as plain text; Solar Hijri readers get the Solar Hijri year in
    which most of it falls, with the Gregorian year beside it."""
    loc = current_locale(locale)
    if calendar_of(loc) != calendars.SOLAR_HIJRI:
        return localise(str(value), loc)
    return localise(f"{value - calendars.YEAR_OFFSET} ({value})", loc)


def year_filter(value: int | None) -> Markup | str:
    """``{{ year|yearformat }}``: a (Gregorian) year; for a Solar Hijri reader the Solar Hijri
    year in which most of it falls, the Gregorian year on hover."""
    if value is None:
        return ""
    loc = current_locale()
    if calendar_of(loc) != calendars.SOLAR_HIJRI:
        return localise(str(value), loc)
    text = localise(str(value - calendars.YEAR_OFFSET), loc)
    return Markup('<span title="{}">{}<span class="print-only"> ({})</span></span>').format(
        value, text, value
    )


def utc_datetime_filter(value: datetime | None) -> str:
    """``{{ value|utcdatetimeformat }}``: the audit pages' times, in UTC whatever the reader's
    zone (the log is compared across zones), Gregorian, in the locale's digits."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    loc = current_locale()
    return localise(babel_format_datetime(value, "medium", tzinfo=UTC, locale=loc), loc)


def utc_date_filter(value: date | datetime | None) -> str:
    """``{{ value|utcdateformat }}``: a day of the audit log (UTC, Gregorian)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    loc = current_locale()
    return localise(babel_format_date(value, "medium", locale=loc), loc)


def number_filter(value: float | int | None) -> str:
    """``{{ value|numberformat }}``: a count or amount in the locale's digits."""
    return "" if value is None else format_number(value)
