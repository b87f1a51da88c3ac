"""Names, digits, calendars and date formatting from CLDR, for each reader's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from core.config import ConfigError, Settings
from core.i18n import calendars, dates, digits, names


@pytest.mark.parametrize(
    ("locale", "expected"), [("fa_AF", "افغانستان"), ("ru", "Афганистан"), ("en", "Afghanistan")]
)
def test_countries_are_named_in_the_readers_language(locale, expected):
    assert names.country_name("AF", locale) == expected


def test_kosovo_and_unknown_codes():
    assert names.country_name("XK", "en") == "Kosovo"
    assert names.is_country("XK") and names.is_country("xk")
    assert names.country_name("QQ", "en") == "QQ"
    assert names.country_name(None) == "" and not names.is_country("QQ")


@pytest.mark.parametrize(
    ("code", "locale", "expected"),
    [("prs", "en", "Dari"), ("prs", "fa_AF", "دری"), ("ps", "en", "Pashto"),
     ("ru", "ru", "русский")],
)  # fmt: skip
def test_languages_are_named_dari_included(code, locale, expected):
    assert names.language_name(code, locale) == expected


def test_country_picker_is_sorted_by_name_and_keeps_codes():
    english = names.country_choices("en")
    assert english[0] == ("AF", "Afghanistan")
    keys = [names.sort_key(name) for _code, name in english]
    assert keys == sorted(keys)
    russian = dict(names.country_choices("ru"))
    assert russian["AF"] == "Афганистан" and russian["XK"] == "Косово"
    assert all(len(code) == 2 and code.isupper() for code, _ in english)


def test_persian_digits_for_dari_latin_for_arabic_as_cldr_says():
    assert digits.numbering_system("fa_AF") == "arabext"
    assert digits.format_number(1234, "fa_AF") == "۱٬۲۳۴"
    assert digits.numbering_system("ar") == "latn"  # CLDR: Arabic's default is Latin digits
    assert digits.format_number(1234, "ar") == "1,234"
    assert digits.format_number(1234, "ar_EG") == "١٬٢٣٤"
    assert digits.localise("AF-2026-0042", "en") == "AF-2026-0042"


def test_any_digits_read_back_as_latin():
    assert digits.to_ascii("۱۴۰۳/۰۱/۰۱") == "1403/01/01"
    assert digits.to_ascii("٢٠٢٤-٠٣-٢٠") == "2024-03-20"
    assert digits.to_ascii("P-۱۲۳") == "P-123"


@pytest.mark.parametrize(
    ("solar", "gregorian"),
    [((1403, 1, 1), date(2024, 3, 20)), ((1404, 1, 1), date(2025, 3, 21)),
     ((1370, 1, 1), date(1991, 3, 21)), ((1403, 12, 30), date(2025, 3, 20))],
)  # fmt: skip
def test_solar_hijri_conversion_both_ways(solar, gregorian):
    assert calendars.from_solar_hijri(*solar) == gregorian
    assert calendars.to_solar_hijri(gregorian) == solar


@pytest.mark.parametrize(
    ("text", "calendar", "expected"),
    [
        ("۱۴۰۳/۰۱/۰۱", calendars.SOLAR_HIJRI, date(2024, 3, 20)),
        ("1404/1/1", calendars.SOLAR_HIJRI, date(2025, 3, 21)),
        ("١٤٠٣-٠١-٠١", calendars.SOLAR_HIJRI, date(2024, 3, 20)),  # a year before 1700 is SH
        ("2024-03-20", calendars.SOLAR_HIJRI, date(2024, 3, 20)),  # ISO is always Gregorian
        ("2024-03-20", calendars.GREGORIAN, date(2024, 3, 20)),
        ("۲۰۲۴-۰۳-۲۰", calendars.GREGORIAN, date(2024, 3, 20)),
    ],
)
def test_date_input_in_either_calendar_and_any_digits(text, calendar, expected):
    assert calendars.parse_date(text, calendar) == expected


@pytest.mark.parametrize(
    "text", ["1403/13/01", "1403/12/31 ", "1403/01/01\n", "2024/03/20", "yesterday", ""]
)
def test_impossible_solar_hijri_dates_are_refused(text):
    with pytest.raises(calendars.DateInputError):
        calendars.parse_date(text, calendars.SOLAR_HIJRI)


def test_a_solar_hijri_year_of_birth_is_the_gregorian_year_it_mostly_falls_in():
    assert calendars.parse_year("۱۳۷۰", calendars.SOLAR_HIJRI) == 1991
    assert calendars.parse_year("1991", calendars.SOLAR_HIJRI) == 1991
    assert calendars.parse_year("1991", calendars.GREGORIAN) == 1991


def test_calendars_by_locale_and_setting():
    assert calendars.calendar_for("fa_AF") == calendars.SOLAR_HIJRI
    assert calendars.calendar_for("ps") == calendars.SOLAR_HIJRI
    assert calendars.calendar_for("ar") == calendars.GREGORIAN
    configured = calendars.parse_calendars("fa_AF=gregorian, en=solar_hijri")
    assert calendars.calendar_for("fa_AF", configured) == calendars.GREGORIAN
    assert calendars.calendar_for("en_GB", configured) == calendars.SOLAR_HIJRI


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEFAULT_TIMEZONE", "Mars/Olympus"), ("DEFAULT_TIMEZONE", "Asia/Kabul "),
     ("CALENDARS", "fa_AF=lunar"), ("CALENDARS", "fa_AF")],
)  # fmt: skip
def test_bad_time_zone_or_calendar_settings_refuse_to_start(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings(**{name: value}).validate()


def test_dari_dates_are_solar_hijri_in_persian_digits_with_the_gregorian_on_hover(app):
    with app.test_request_context("/"), force_locale("fa_AF"):
        html = str(dates.date_filter(date(2024, 3, 20)))
        assert "۱ حمل ۱۴۰۳" in html
        assert 'title="2024-03-20"' in html and 'datetime="2024-03-20"' in html
        assert 'class="print-only"> (2024-03-20)' in html
        assert dates.format_local_date(date(2025, 3, 21)) == "۱ حمل ۱۴۰۴"
        assert str(dates.year_filter(1991)).count("۱۳۷۰") == 1
    with app.test_request_context("/"), force_locale("ps"):
        assert dates.format_local_date(date(2024, 3, 20)) == "۱ وری ۱۴۰۳"


def test_other_readers_get_babel_dates(app):
    with app.test_request_context("/"), force_locale("en"):
        assert dates.format_local_date(date(2024, 3, 20)) == "Mar 20, 2024"
        assert "title=" not in str(dates.date_filter(date(2024, 3, 20)))
    with app.test_request_context("/"), force_locale("ru"):
        assert dates.format_local_date(date(2024, 3, 20)) == "20 мар. 2024\u202fг."


def test_datetimes_are_shown_in_the_time_zone_and_audit_times_in_utc(app):
    moment = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    with app.test_request_context("/"), force_locale("en"):
        assert dates.format_local_datetime(moment) == "Dec 2, 2026, 9:00:00\u202fPM"  # default UTC
    with app.test_request_context("/"), force_locale("fa_AF"):
        text = dates.format_local_datetime(moment)
        assert "۱۱ قوس ۱۴۰۵" in text and "۲۱:۰۰" in text
        assert "۲۱:۰۰:۰۰" in dates.utc_datetime_filter(moment)  # Gregorian, UTC, Persian digits
        assert "۲۰۲۶" in dates.utc_datetime_filter(moment)


def test_a_day_is_kept_written_by_locale_and_calendar_and_only_in_requests(app):
    from tests.factories import override_settings

    day = date(2024, 3, 20)
    with app.test_request_context("/"), force_locale("en"):
        english = dates.date_filter(day)
    with app.test_request_context("/"), force_locale("fa_AF"):
        assert "۱ حمل ۱۴۰۳" in str(dates.date_filter(day))
    with app.test_request_context("/"), force_locale("en"):
        assert dates.date_filter(day) is english  # kept across requests
        assert "Mar 20, 2024" in str(english)
    with (
        override_settings(app, CALENDARS="en=solar_hijri"),
        app.test_request_context("/"),
        force_locale("en"),
    ):
        assert ">1 Hamal 1403<" in str(dates.date_filter(day))
    with app.test_request_context("/"), force_locale("en"):
        assert dates.date_filter(day) is english  # the setting back, so is the text
    # Outside a request (a command, an e-mail) the text is written in the locale forced, and
    # kept for no one.
    with app.app_context(), force_locale("ru"):
        assert "мар" in str(dates.date_filter(date(2024, 3, 21)))
    with app.test_request_context("/"), force_locale("en"):
        assert "Mar 21, 2024" in str(dates.date_filter(date(2024, 3, 21)))
