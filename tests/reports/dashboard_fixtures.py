"""Hand-built published sections for the dashboard tests (the rendering knows nothing of how
figures are computed: it shows what it is given)."""

from __future__ import annotations

from reports.suppression import CountTable, protect
from reports.tables import Figure, Section, StatTable


def sections() -> tuple[Section, ...]:
    by_sex = protect(
        CountTable.of(
            ["Returnee", "Presumed victim", "Identified victim"],
            ["Female", "Male"],
            [[12, 3], [20, 9], [7, 8]],
        )
    )
    trend = protect(
        CountTable.of(["2026-09", "2026-10", "2026-11"], ["Registered"], [[14], [2], [30]])
    )
    timeliness = StatTable(
        rows=("To screening", "To consent", "To plan"),
        columns=("People", "Median days", "Share within 30 days"),
        cells=((25, 4.0, None), (26, 6.5, None), ("<5", None, None)),
        shares=frozenset({2}),
    )
    shares = StatTable(
        rows=("Plans",),
        columns=("People", "Median days", "Share within 30 days"),
        cells=((40, 21.0, 0.625),),
        shares=frozenset({2}),
    )
    return (
        Section(
            "identification",
            "Identification",
            (
                Figure(
                    "by_case_type_sex",
                    "Registered by case type and sex",
                    "People registered in the period, by case type and sex.",
                    by_sex,
                ),
                Figure(
                    "by_month", "Registered by month", "People registered, by month.", trend, "line"
                ),
            ),
        ),
        Section(
            "timeliness",
            "Timeliness",
            (
                Figure("days_to_step", "Days from registration", "Median days.", timeliness),
                Figure("plan_share", "Plans on time", "Share of plans on time.", shares, "none"),
            ),
        ),
    )


HEADLINE = [("People registered", 46), ("Children", "<5")]
