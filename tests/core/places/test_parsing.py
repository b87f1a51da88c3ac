"""The places file parser: every kind of problem with its line number, and a fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.places import importing
from tests.core.places.helpers import GOOD, HEADER, csv_of


def test_a_good_file_gives_every_place_in_order_with_names_per_language():
    parsed = importing.parse(GOOD.encode())
    assert parsed.ok, parsed.problems
    codes = list(parsed.places)
    assert codes == ["AF", "AF01", "AF0101", "AF0102", "AF30", "AF3002", "TJ", "TJ01"]
    assert parsed.places["AF01"].names == {"fa": "کابل"}
    assert parsed.places["AF3002"].names == {"ps": "انجیل"}
    assert parsed.places["AF3002"].parent == "AF30"
    assert parsed.places["AF"].country_code == "AF"
    assert parsed.places["AF01"].country_code is None


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (["AF,Afghanistan,,Kabul,,"], "line 2: the province code is missing"),
        (["AF,Afghanistan,AF01,,,"], "line 2: the province name is missing"),
        ([",Afghanistan,AF01,Kabul,,"], "line 2: the country code is missing"),
        (["AF,,AF01,Kabul,,"], "line 2: the country name is missing"),
        (["AF,Afghanistan,AF01,Kabul,AF0101,"], "line 2: the district name is missing"),
        (["AF,Afghanistan,AF01,Kabul,,Paghman"], "line 2: the district code is missing"),
        (["AF,Afghanistan,AF 01,Kabul,,"], "line 2: the province code 'AF 01' is not a P-code"),
        (
            ["AF,Afghanistan,AF01,Kabul,,", "AF,Afghanistan,AF01,Kaabul,,"],
            "line 3: 'AF01' is named differently on line 2",
        ),
        (
            ["AF,Afghanistan,AF01,Kabul,AF0101,Kabul", "AF,Afghanistan,AF02,Kapisa,AF0101,Kabul"],
            "line 3: 'AF0101' is under 'AF02' here and 'AF01' on line 2",
        ),
        (
            ["AF,Afghanistan,AF01,Kabul,,", "AF,Afghanistan,AF02,Kapisa,AF01,Kabul"],
            "line 3: 'AF01' is a district here and a province on line 2",
        ),
        (["AF,Afghanistan,AF01,Kabul"], "line 2: 4 values for 6 columns"),
        (["AF,Afghanistan,AF01,Ka\x07bul,,"], "line 2: the province name is longer"),
    ],
)
def test_each_problem_is_reported_with_its_line(rows, problem):
    parsed = importing.parse(csv_of(*rows))
    assert not parsed.ok
    assert any(str(p).startswith(problem) for p in parsed.problems), parsed.problems


def test_every_bad_row_is_listed_not_only_the_first():
    data = csv_of(
        "AF,Afghanistan,AF01,Kabul,,",
        "AF,Afghanistan,,Kapisa,,",
        "AF,Afghanistan,AF03,Parwan,,",
        "AF,Afghanistan,AF04,,,",
    )
    parsed = importing.parse(data)
    assert [str(p).split(":")[0] for p in parsed.problems] == ["line 3", "line 5"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "line 1: the file is empty"),
        (HEADER.encode() + b"\n", "line 2: the file has no places"),
        (b"admin0_pcode,admin0_name\nAF,Afghanistan\n", "line 1: missing column(s)"),
        (csv_of(header=HEADER + ",colour"), "line 1: unknown column 'colour'"),
        (csv_of(header=HEADER + ",admin1_name_zz"), "line 1: column 'admin1_name_zz'"),
        (HEADER.encode() + b"\nAF,Af\xffghan,AF01,Kabul,,\n", "line 2: not UTF-8 text"),
        (HEADER.encode() + b'\nAF,"Afghan,AF01,Kabul,,\n', "line "),
    ],
)
def test_a_bad_file_shape_is_refused(data, problem):
    parsed = importing.parse(data)
    assert not parsed.ok
    assert str(parsed.problems[0]).startswith(problem), parsed.problems


def test_a_byte_order_mark_and_windows_line_ends_are_read():
    data = "\ufeff" + GOOD.replace("\n", "\r\n")
    assert importing.parse(data.encode()).ok


def test_multi_line_quoted_rows_keep_the_line_of_their_start():
    data = csv_of('AF,"Afghan\nistan",AF01,Kabul,,', "AF,Afghanistan,,Kapisa,,")
    parsed = importing.parse(data)
    assert str(parsed.problems[-1]).startswith("line 4: the province code is missing")


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["AF", "AF01", "AF0101", "Kabul", "", " ", "کابل", "a,b", '"']
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=6), st.booleans())
def test_fuzz_the_parser_never_crashes_and_names_a_line_for_each_problem(rows, extra):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER.split(",") + (["admin2_name_ps"] if extra else []))
    writer.writerows(rows)
    parsed = importing.parse(out.getvalue().encode())
    assert all(str(p).startswith("line ") for p in parsed.problems)
    if parsed.ok:
        for place in parsed.places.values():
            assert importing.PCODE.match(place.pcode) and place.name
            assert place.level == 0 or place.parent in parsed.places


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_any_bytes_are_read_or_refused(data):
    parsed = importing.parse(data)
    assert parsed.ok or all(str(p).startswith("line ") for p in parsed.problems)


def test_a_language_with_a_region_is_kept_as_locales_write_it():
    data = csv_of("AF,Afghanistan,AF01,Kabul,,,کابل", header=HEADER + ",admin1_name_FA-af")
    parsed = importing.parse(data)
    assert parsed.ok, parsed.problems
    assert parsed.places["AF01"].names == {"fa_AF": "کابل"}


def test_every_problem_is_a_whole_translatable_sentence_with_its_line():
    """Extraction (as ``make extract-messages`` runs it) finds each problem as one message
    ``line %(line)d: ...`` with named placeholders: no level word slotted in, no f-string."""
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    root = Path(importing.__file__).parent
    found: set[str] = set()
    for name in ("importing.py", "services.py"):
        for _lineno, message, _comments, _context in extract_from_file(
            "python", root / name, keywords=keywords
        ):
            assert isinstance(message, str)
            found.add(message)
    problems = {m for m in found if m.startswith("line %(line)d: ")}
    assert len(problems) == 41, sorted(found - problems)
    for level in ("country", "province", "district"):
        assert f"line %(line)d: the {level} code is missing" in problems
        assert f"line %(line)d: the {level} name is missing" in problems
    assert all("{" not in m for m in problems)
    assert "line %(line)d: %(code)s is already a district, not a province" in problems
