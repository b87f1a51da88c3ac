"""Names, dates, calendars and digits from CLDR for the reader's locale (see ``names``,
``dates``, ``calendars``, ``digits`` and ``fields``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Flask


def init_app(app: Flask) -> None:
    """The template filters and the time zone selector."""
    from core.i18n import catalogue, dates, digits, names, plurals, zones

    catalogue.init_app(app)
    app.jinja_env.filters["country_name"] = names.country_name
    app.jinja_env.filters["language_name"] = names.language_name
    app.jinja_env.globals["country_name"] = names.country_name
    app.jinja_env.globals["language_name"] = names.language_name
    app.jinja_env.globals["country_choices"] = names.country_choices
    app.jinja_env.globals["language_choices"] = names.language_choices
    app.jinja_env.filters["dateformat"] = dates.date_filter
    app.jinja_env.filters["datetimeformat"] = dates.datetime_filter
    app.jinja_env.filters["datetext"] = dates.format_local_date
    app.jinja_env.filters["yearformat"] = dates.year_filter
    app.jinja_env.filters["numberformat"] = dates.number_filter
    app.jinja_env.filters["localdigits"] = digits.localise
    app.jinja_env.filters["utcdatetimeformat"] = dates.utc_datetime_filter
    app.jinja_env.filters["utcdateformat"] = dates.utc_date_filter
    app.jinja_env.globals["ngettext"] = plurals.localised_template_ngettext(
        cast(Callable[..., Any], app.jinja_env.globals["ngettext"])
    )
    app.extensions["babel"].timezone_selector = zones.select_time_zone
