"""Identification: who was registered in the period (:mod:`reports.indicators`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.screening.vocabulary import ExploitationType, MeansOfControl
from casework.screening.vocabulary import label as screening_label
from casework.skeleton.models import CaseSkeleton
from casework.statistics import AGE_BANDS
from casework.vocabulary import CaseType, Sex
from core.i18n.names import country_name, current_locale
from core.places import queries as places
from reports.indicators.common import (
    MAX_TREND_MONTHS,
    Context,
    _case_type,
    _column,
    _counts,
    _one_key,
    _rows,
    _sex,
    _unknown,
)
from reports.queries import month_of
from reports.tables import Figure, Section

# ---------------------------------------------------------------------------------------------
# Identification


def _people() -> str:
    return str(_l("People"))


def registered_by_case_type(ctx: Context) -> Figure:
    """People registered in the period (cases whose registration month is in it), by case
    type; one row per case type of the vocabulary."""
    counts = ctx.registered_by(CaseSkeleton.case_type)
    rows, values = _rows(counts, [t.value for t in CaseType], _case_type, unknown=False)
    return Figure(
        "registered_by_case_type",
        str(_l("People registered by case type")),
        str(_l("Cases registered in the period (by month of registration), by case type.")),
        _column(ctx, rows, _people(), values),
    )


def registered_by_sex(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by sex; no recorded sex is
    the "Unknown" row."""
    counts = ctx.registered_by(CaseSkeleton.sex)
    rows, values = _rows(counts, [s.value for s in Sex], _sex)
    return Figure(
        "registered_by_sex",
        str(_l("People registered by sex")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the person's "
                "sex; no sex recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_age_band(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by CTDC age band at
    registration, in the bands' order; no known age is the "Unknown" row."""
    counts = ctx.registered_by(CaseSkeleton.age_band)
    rows, values = _rows(counts, [band for _low, _high, band in AGE_BANDS], str)
    return Figure(
        "registered_by_age_band",
        str(_l("People registered by age band")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the person's "
                "age band at registration (CTDC bands); no known age is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_children(ctx: Context) -> Figure:
    """People registered in the period (by registration month): children (under 18 at
    registration), adults, and "Unknown" when the age is not known."""
    counts = ctx.registered_by(CaseSkeleton.child)
    rows = [str(_l("Children")), str(_l("Adults")), _unknown()]
    values = [counts.get(True, 0), counts.get(False, 0), counts.get(None, 0)]
    return Figure(
        "registered_children",
        str(_l("Children and adults registered")),
        str(
            _l(
                "Cases registered in the period (by month of registration): children (under "
                "18 at registration) and adults; an unknown age is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_nationality(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by nationality: one row per
    nationality present (the country's name in the reader's language, with its ISO code),
    sorted by name, then "Unknown"."""
    counts = ctx.registered_by(CaseSkeleton.nationality)

    def name(code: str) -> str:
        return f"{country_name(code)} ({code})"

    rows, values = _rows(counts, [], name)
    return Figure(
        "registered_by_nationality",
        str(_l("People registered by nationality")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the person's "
                "nationality; no nationality recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def _by_code(ctx: Context, field: str) -> dict[str | None, int]:
    """People by code of a multi-valued field (a person with several codes counts under each),
    and under None the people with none (the people registered less those with a code)."""
    per_code: dict[str | None, int] = {c: n for (f, c), n in ctx.codes.items() if f == field}
    return {**per_code, None: ctx.registered - ctx.coded_people.get(field, 0)}


def registered_by_exploitation_type(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by kind of exploitation
    recorded at screening: a person with several kinds counts under each (so the total counts
    mentions, not people); a person with none recorded is the "Unknown" row."""
    counts = _by_code(ctx, "exploitation_type")
    rows, values = _rows(
        counts,
        [t.value for t in ExploitationType],
        lambda c: str(screening_label(c, ExploitationType)),
    )
    return Figure(
        "registered_by_exploitation_type",
        str(_l("People registered by kind of exploitation")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by each kind of "
                "exploitation recorded at screening; a person with several kinds counts under "
                "each, so the total counts mentions; none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_means_of_control(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by means of control recorded
    at screening: a person with several counts under each (the total counts mentions); a
    person with none recorded is the "Unknown" row."""
    counts = _by_code(ctx, "means_of_control")
    rows, values = _rows(
        counts,
        [m.value for m in MeansOfControl],
        lambda c: str(screening_label(c, MeansOfControl)),
    )
    return Figure(
        "registered_by_means_of_control",
        str(_l("People registered by means of control")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by each means of "
                "control recorded at screening; a person with several counts under each, so "
                "the total counts mentions; none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def registered_by_province(ctx: Context) -> Figure:
    """People registered in the period (by registration month), by province of return or
    identification (its name from the imported places, in the reader's language), sorted by
    name; no province recorded is the "Unknown" row."""
    counts = _one_key(ctx.tallied("province"))
    names = places.labels(ctx.db, [c for c in counts if c], str(current_locale()))
    rows, values = _rows(counts, [], lambda c: names.get(c, c))
    return Figure(
        "registered_by_province",
        str(_l("People registered by province")),
        str(
            _l(
                "Cases registered in the period (by month of registration), by the province "
                "of return or identification; none recorded is counted as Unknown."
            )
        ),
        _column(ctx, rows, _people(), values),
    )


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def registered_by_month(ctx: Context) -> Figure:
    """Trend: people registered by month of registration (rows: every month from the period's
    start, or the first month registered, to its end, or the last month registered) and case
    type (columns). Skeletons kept before months were (a year only) are a row of their year."""
    counts = ctx.tallied("trend")
    present = {m for m, _t in counts if m}
    monthly = sorted(m for m in present if len(m) >= 7)
    start, end = ctx.filters.start, ctx.filters.end
    last = month_of(end) if end else (monthly[-1] if monthly else None)
    first = month_of(start) if start else (monthly[0] if monthly else last)
    last = last or first
    span = _months(first, last) if first and last else []
    if len(span) > MAX_TREND_MONTHS:  # a period of decades: the months that have cases
        span = monthly
    months = sorted(m for m in present if len(m) < 7) + span
    types = [t.value for t in CaseType]
    types += sorted({t for _m, t in counts if t not in types})
    table = [[counts.get((m, t), 0) for t in types] for m in months]
    rows = [*months, *([_unknown()] if None in {m for m, _t in counts} else [])]
    if len(rows) > len(months):
        table.append([counts.get((None, t), 0) for t in types])
    return Figure(
        "registered_by_month",
        str(_l("People registered by month")),
        str(_l("Cases registered in each month of the period, by case type.")),
        _counts(ctx, rows, [_case_type(t) for t in types], table),
        chart="line",
    )


def identification(ctx: Context) -> Section:
    return Section(
        "identification",
        str(_l("Identification and registration")),
        (
            registered_by_case_type(ctx),
            registered_by_sex(ctx),
            registered_by_age_band(ctx),
            registered_children(ctx),
            registered_by_nationality(ctx),
            registered_by_exploitation_type(ctx),
            registered_by_means_of_control(ctx),
            registered_by_province(ctx),
            registered_by_month(ctx),
        ),
    )
