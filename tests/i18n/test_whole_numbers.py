"""The figures pages' whole numbers (:func:`core.i18n.digits.whole_number`) are Babel's
``format_decimal`` character for character, in every language Babel knows."""

from __future__ import annotations

from babel import localedata
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from core.i18n.digits import whole_number

VALUES = (0, 1, 7, 999, 1000, 12_345, 123_456, 1_234_567, 10**9, 10**15)


def test_every_locale_writes_counts_as_babel_does():
    for locale in localedata.locale_identifiers():
        for value in VALUES:
            assert whole_number(value, locale) == format_decimal(value, locale=locale), locale


def test_a_locale_whose_pattern_babel_rewrites_is_left_to_babel():
    # de_CH groups with an apostrophe, which Babel then takes out as a quote.
    assert whole_number(1_234_567, "de_CH") == format_decimal(1_234_567, locale="de_CH")
    assert whole_number(-1_234, "en") == format_decimal(-1_234, locale="en") == "-1,234"


@settings(max_examples=300, deadline=None)
@given(
    value=st.integers(min_value=-(10**12), max_value=10**12),
    locale=st.sampled_from(["en", "ar", "fa_AF", "fr", "ps", "ru", "tr", "ur", "hi", "es"]),
)
def test_any_whole_number_in_homewards_languages(value, locale):
    assert whole_number(value, locale) == format_decimal(value, locale=locale)
