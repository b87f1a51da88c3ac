"""Rendering published figures: the page's grid, the SVG charts, the CSV and the XLSX all show
the same protected cells ("<5", "x" as published, never a number behind them)."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from reports.downloads import About, csv_bytes, sheet_name, xlsx_bytes
from reports.rendering import bar_chart, chart, grid, line_chart
from tests.reports.dashboard_fixtures import sections


def figure(key):
    return next(f for s in sections() for f in s.figures if f.key == key)


def test_a_count_grid_has_the_totals_and_the_marks_as_published():
    g = grid(figure("by_case_type_sex"), "Total", "")
    assert g.header == ("", "Female", "Male", "Total")
    assert g.rows[0] == ("Returnee", ("x", "<5", 15))
    assert g.rows[-1] == ("Total", (39, 20, 59))
    assert g.has_total_row


def test_a_single_column_grid_has_no_total_column():
    g = grid(figure("by_month"))
    assert g.header == ("", "Registered")
    assert [r[1] for r in g.rows] == [("x",), ("<5",), (30,), (46,)]


def test_a_statistics_grid_keeps_withheld_rows_withheld():
    g = grid(figure("days_to_step"))
    assert g.rows[2] == ("To plan", ("<5", None, None))
    assert g.shares == frozenset({2})


def test_bars_draw_marks_as_hatched_stubs_never_as_numbers():
    c = bar_chart(figure("by_case_type_sex"))
    suppressed = [b for b in c.bars if b.suppressed]
    assert {b.text for b in suppressed} == {"x", "<5"}
    assert len(suppressed) == 4  # the inner cells only: totals are not charted
    stub = suppressed[0].width
    assert all(b.width == stub for b in suppressed)
    shown = {b.text: b.width for b in c.bars if not b.suppressed}
    assert shown["20"] > shown["9"] > stub
    assert c.legend == ("Female", "Male")


def test_a_statistics_bar_chart_draws_the_first_statistic_and_the_withheld_mark():
    c = bar_chart(figure("days_to_step"))
    assert [b.text for b in c.bars] == ["4.0", "6.5", "<5"]
    assert c.bars[2].suppressed


def test_a_line_breaks_at_a_suppressed_month_and_shows_its_mark():
    c = line_chart(figure("by_month"))
    (series,) = c.series
    assert len(series.points) == 1  # only November is published as a number
    assert series.paths == ()  # no two neighbouring published months: nothing to join
    assert sorted(t.text for t in c.marks) == ["<5", "x"]
    assert [t.text for t in c.labels if t.anchor == "middle"] == ["2026-09", "2026-10", "2026-11"]


def test_a_figure_without_a_chart_has_none():
    assert chart(figure("plan_share")) is None
    assert chart(figure("by_month")).kind == "line"


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_a_header_and_the_marks_as_published():
    rows = read_csv(csv_bytes(figure("by_case_type_sex"), "Total", "Case type"))
    assert rows[0] == ["Case type", "Female", "Male", "Total"]
    assert rows[1] == ["Returnee", "x", "<5", "15"]
    assert rows[-1] == ["Total", "39", "20", "59"]


def test_csv_of_statistics_writes_withheld_values_empty_and_shares_as_fractions():
    rows = read_csv(csv_bytes(figure("plan_share")))
    assert rows[1] == ["Plans", "40", "21.0", "0.625"]
    rows = read_csv(csv_bytes(figure("days_to_step")))
    assert rows[3] == ["To plan", "<5", "", ""]


def test_xlsx_has_an_about_sheet_and_a_sheet_per_figure_with_numbers_as_numbers():
    about = About(
        title="Figures of my organisation",
        filters=[("Period", "2026-11"), ("Sex", "Any")],
        made_on=date(2026, 12, 4),
        rule="Counts of 1 to 4 are shown as <5.",
        labels={"about": "About", "made_on": "Made on", "rule": "Small cells", "total": "Total"},
    )
    book = load_workbook(io.BytesIO(xlsx_bytes(sections(), about)))
    assert book.sheetnames == [
        "About",
        "by_case_type_sex",
        "by_month",
        "days_to_step",
        "plan_share",
    ]
    first = [[c for c in row if c is not None] for row in book["About"].iter_rows(values_only=True)]
    assert ["Period", "2026-11"] in first and ["Sex", "Any"] in first
    assert ["Small cells", "Counts of 1 to 4 are shown as <5."] in first
    sheet = [list(r) for r in book["by_case_type_sex"].iter_rows(min_row=4, values_only=True)]
    assert sheet[1] == ["Returnee", "x", "<5", 15]
    assert sheet[-1] == ["Total", 39, 20, 59]
    assert isinstance(sheet[-1][1], int)
    stats = [list(r) for r in book["plan_share"].iter_rows(min_row=5, values_only=True)]
    assert stats[0] == ["Plans", 40, 21.0, 0.625]
    assert book["plan_share"]["D5"].number_format == "0.0%"


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    long = "a" * 40
    assert sheet_name(long, taken) == "a" * 31
    assert sheet_name(long, taken) == "a" * 29 + "_2"
    assert sheet_name("x/y:z", taken) == "x_y_z"


def test_a_wide_count_table_is_charted_by_its_row_totals_and_long_labels_are_shortened():
    from reports.suppression import CountTable, protect
    from reports.tables import Figure

    long = "Mental health and psychosocial support services of the region"
    table = protect(CountTable.of([long, "Legal aid"], list("abcd"), [[5, 6, 7, 8], [9, 9, 9, 9]]))
    c = bar_chart(Figure("wide", "Wide", "A wide table.", table), total_label="All")
    assert c.legend == ("All",)
    assert [b.text for b in c.bars] == ["26", "36"]
    (shortened,) = [t.text for t in c.labels if t.text.startswith("Mental")]
    assert shortened.endswith("…") and len(shortened) < len(long)


def test_a_page_formats_each_value_once_and_as_show_does(app):
    """The page's memo of :func:`reports.routes.show` gives exactly what ``show`` gives, in the
    reader's language, keeping an int apart from the equal float (1 is "1", 1.0 a share)."""
    from flask_babel import force_locale

    from reports.routes import memo_show, show

    values = [0, 1, 1.0, 12345, 1234.5, 0.256, "<5", "x", None]
    with app.test_request_context("/"):
        for locale in ("en", "fr", "ar"):
            with force_locale(locale):
                shown = memo_show()
                for share in (False, True):
                    for value in values * 2:  # the second pass is answered from the memo
                        assert shown(value, share) == show(value, share), (locale, value, share)
        with force_locale("fr"):
            shown = memo_show()
            assert shown(12345) == show(12345) != "12345"  # grouped as French groups it
            assert shown(0.256, True) != shown(0.256, False)
