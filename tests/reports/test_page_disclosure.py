"""What one figures page publishes as a whole: the headline and the tables beside it must not
give a hidden cell back together (issue 16's small-cell rule holds across a page, not only
within a table). The population is the indicators' hand-computed one."""

from __future__ import annotations

from reports.indicators import published_headline
from reports.routes import figures_for
from reports.suppression import SECONDARY_MARK
from tests.reports.test_indicators import (
    MARCH_AUGUST,
    TODAY,
    figure,
    only,
    population,
    published,
    sections,
)

__all__ = ["population", "sections"]


def test_the_headline_gives_no_hidden_cell_back(sections):
    headline = dict(published_headline(sections))
    case_types = dict(published(figure(sections, "registered_by_case_type")))
    # 12 identified victims and a "<5" of returnees and victims: a headline of 14 "identified
    # victims" would say the "<5" is 2. The sum of a hidden cell is hidden.
    assert case_types["Identified victim of trafficking"] == 12
    assert case_types["Returnee and victim of trafficking"] == "<5"
    assert headline["Identified victims"] == SECONDARY_MARK
    children = dict(published(figure(sections, "registered_children")))
    assert headline["Children"] == children["Children"]
    kinds = figure(sections, "referrals_by_service_type").table
    assert headline["Referrals sent"] == kinds.total == 20
    assert headline["Referrals completed"] == kinds.column_totals[4] == 12
    people = figure(sections, "registered_by_case_type").table
    assert headline["People registered"] == people.column_totals[0]


def test_the_referral_tables_and_the_headline_agree_on_every_total(sections):
    # The referral tables share their column totals and their grand total with each other and
    # with the headline: a total hidden in one and published in another gives the small cells
    # back (20 sent - 12 completed - 6 declined = the "<5" accepted).
    tables = [
        figure(sections, key).table
        for key in ("referrals_by_service_type", "referrals_by_provider", "referrals_transnational")
    ]
    shown = [t for t in tables if not t.withheld]  # (a withheld table is "x" throughout)
    assert tables[0] in shown
    assert len({t.column_totals for t in shown}) == 1
    assert tables[0].column_totals == (0, "<5", SECONDARY_MARK, 0, 12, 0, 0)
    assert {t.total for t in shown} == {20}
    assert dict(published_headline(sections))["Referrals sent"] == 20


def test_the_declined_referrals_by_reason_do_not_undo_the_hidden_declined_total(
    db_session, population
):
    # The referral tables hide the 6 declined (an "x" beside the "<5" accepted); the table
    # of declined referrals by reason published 6 in all, and 20 - 12 - 6 = the "<5".
    sections, headline = figures_for(db_session, only(population.a, **MARCH_AUGUST), TODAY)
    kinds = figure(sections, "referrals_by_service_type").table
    assert kinds.column_totals[2] == SECONDARY_MARK
    reasons = figure(sections, "referrals_declined_by_reason").table
    assert reasons.withheld and reasons.total == SECONDARY_MARK
    assert all(c == SECONDARY_MARK for row in reasons.cells for c in row)
    assert dict(headline)["Referrals sent"] == 20


def _page(*figures_):
    from reports.tables import Figure, Section

    return (Section("s", "S", tuple(Figure(key, key, key, table) for key, table in figures_)),)


def test_a_trend_publishing_a_total_the_case_type_table_hides_is_withheld():
    from dataclasses import replace

    from reports.indicators import linked_tables_agree
    from reports.suppression import CountTable, protect

    types = protect(CountTable.of(["A", "B", "C"], ["People"], [[10], [6], [2]]), 5)
    trend = protect(CountTable.of(["m1", "m2"], ["A", "B", "C"], [[5, 6, 0], [5, 0, 2]]), 5)
    assert types.cells[1] == ("x",) and trend.column_totals[1] == "x"
    agreeing = linked_tables_agree(
        _page(("registered_by_case_type", types), ("registered_by_month", trend))
    )
    assert not agreeing[0].figures[1].table.withheld
    # A trend whose "B" total were published would give the case-type table's "x" back.
    leaky = replace(trend, column_totals=(10, 6, "<5"))
    page = linked_tables_agree(
        _page(("registered_by_case_type", types), ("registered_by_month", leaky))
    )
    assert page[0].figures[1].table.withheld
    assert set(page[0].figures[1].table.cells[0]) == {"x"}


def test_children_published_beside_age_bands_that_give_them_back_are_withheld():
    from reports.indicators import linked_tables_agree
    from reports.suppression import CountTable, protect

    bands = protect(
        CountTable.of(
            ["0-8", "9-17", "18-20", "48+", "Unknown"], ["People"], [[0], [6], [12], [2], [3]]
        ),
        5,
    )
    groups = protect(
        CountTable.of(["Children", "Adults", "Unknown"], ["People"], [[6], [14], [3]]), 5
    )
    # Adults 14 = 18-20 (12) + 48+ ("<5"): published, it gives the hidden band back.
    assert groups.cells[1] == (14,) and bands.cells[3] == ("<5",)
    page = linked_tables_agree(
        _page(("registered_by_age_band", bands), ("registered_children", groups))
    )
    assert page[0].figures[1].table.withheld
