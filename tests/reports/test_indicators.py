"""The indicators of issue 16 against hand-computed skeleton populations (SQLite and
PostgreSQL): every published cell, "<5" and secondary "x" included; filters; erasure."""

from __future__ import annotations

from datetime import date

import pytest

from core.settings_sections import ReportSettings
from reports.indicators import compute, headline
from reports.tables import Figure, Filters, Section
from tests.factories import make_organisation
from tests.reports.indicator_fixtures import many

SETTINGS = ReportSettings(small_cell_threshold=5, export_min_group=11)
MARCH_APRIL = dict(start=date(2026, 3, 1), end=date(2026, 4, 30))


def figure(sections: tuple[Section, ...], key: str) -> Figure:
    return next(f for s in sections for f in s.figures if f.key == key)


def published(fig: Figure) -> list[tuple[str, object]]:
    """(row, first cell) of a one-column count table."""
    table = fig.table
    return [(row, cells[0]) for row, cells in zip(table.rows, table.cells, strict=True)]


@pytest.fixture
def population(app, db_session, request_ctx):
    """23 cases of organisation A registered in March and April 2026, and others that the
    filters leave out: 4 of organisation B (March 2026), 7 of A registered in December 2025.

    A, March to April 2026:
    - 12 identified victims, female, 24-26, adult, AF, forced labour + debt bondage, March
    - 6 presumed victims, male, 9-17, child, PK, sexual exploitation, April
    - 3 returnees, sex/age/nationality unknown, nothing recorded at screening, April
    - 2 returnees and victims, female, 48+, adult, AF, forced labour, March
    """
    a = make_organisation(app, db_session)
    b = make_organisation(app, db_session)
    many(
        db_session,
        a.id,
        12,
        case_type="identified_victim",
        sex="female",
        age_band="24-26",
        child=False,
        nationality="AF",
        codes={"exploitation_type": ["forced_labour"], "means_of_control": ["debt_bondage"]},
    )
    many(
        db_session,
        a.id,
        6,
        case_type="presumed_victim",
        sex="male",
        age_band="9-17",
        child=True,
        nationality="PK",
        registered_month="2026-04",
        codes={"exploitation_type": ["sexual_exploitation"]},
    )
    many(db_session, a.id, 3, case_type="returnee", registered_month="2026-04")
    many(
        db_session,
        a.id,
        2,
        case_type="returnee_and_victim",
        sex="female",
        age_band="48+",
        child=False,
        nationality="AF",
        codes={"exploitation_type": ["forced_labour"]},
    )
    many(db_session, b.id, 4, case_type="identified_victim", sex="female")
    many(db_session, a.id, 7, case_type="returnee", sex="male", registered_month="2025-12")
    return a, b


def test_identification_counts_registrations_by_each_breakdown(db_session, population):
    a, _b = population
    sections = compute(
        db_session, Filters(organisation_ids=frozenset({a.id}), **MARCH_APRIL), SETTINGS, 30
    )
    assert sections[0].key == "identification"
    by_type = figure(sections, "registered_by_case_type")
    assert published(by_type) == [
        ("Returnee", "<5"),
        ("Presumed victim of trafficking", 6),
        ("Identified victim of trafficking", 12),
        ("Returnee and victim of trafficking", "<5"),
    ]
    assert by_type.table.total == 23
    by_sex = figure(sections, "registered_by_sex")
    # Unknown (3) alone in its column would be 23 - 14 - 6: the smallest other cell goes too.
    assert published(by_sex) == [
        ("Female", 14),
        ("Male", "x"),
        ("Other sex", 0),
        ("Not known", 0),
        ("Unknown", "<5"),
    ]
    assert by_sex.table.total == 23
    by_age = published(figure(sections, "registered_by_age_band"))
    # 48+ (2) and Unknown (3) hide each other: together 5, either could be 1..4.
    assert by_age == [
        ("0-8", 0),
        ("9-17", 6),
        ("18-20", 0),
        ("21-23", 0),
        ("24-26", 12),
        ("27-29", 0),
        ("30-38", 0),
        ("39-47", 0),
        ("48+", "<5"),
        ("Unknown", "<5"),
    ]
    assert published(figure(sections, "registered_children")) == [
        ("Children", "x"),
        ("Adults", 14),
        ("Unknown", "<5"),
    ]
    assert published(figure(sections, "registered_by_nationality")) == [
        ("Afghanistan (AF)", 14),
        ("Pakistan (PK)", "x"),
        ("Unknown", "<5"),
    ]
    kinds = dict(published(figure(sections, "registered_by_exploitation_type")))
    assert kinds["Forced labour"] == 14 and kinds["Unknown"] == "<5"
    control = dict(published(figure(sections, "registered_by_means_of_control")))
    assert control["Debt bondage"] == 12 and control["Unknown"] == 11
    trend = figure(sections, "registered_by_month")
    assert trend.table.rows == ("2026-03", "2026-04")
    assert trend.table.row_totals == (14, 9)


def test_headline_figures_are_protected(db_session, population):
    a, _b = population
    figures = dict(
        headline(db_session, Filters(organisation_ids=frozenset({a.id}), **MARCH_APRIL), SETTINGS)
    )
    assert figures["People registered"] == 23
    assert figures["Identified victims"] == 14
    assert figures["Children"] == 6
    assert figures["Cases closed"] == 0
    everyone = dict(headline(db_session, Filters(), SETTINGS))
    assert everyone["People registered"] == 34
    one = dict(headline(db_session, Filters(organisation_ids=frozenset({_b.id})), SETTINGS))
    assert one["People registered"] == "<5" and one["Children"] == 0
