"""Numbered pages of a list in memory, and page numbers read strictly from a query string."""

from __future__ import annotations

import pytest

from core.pagination import numbered_page, page_number


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("2", 2),
        ("17", 17),
        (None, 1),
        ("", 1),
        ("0", 1),
        ("-2", 1),
        ("+2", 1),
        (" 2", 1),
        ("2.0", 1),
        ("1e3", 1),
        ("２", 1),  # a full-width digit: isdigit() says yes, but it is not ours
        ("٣", 1),
        ("9" * 7, 1),
        ("999999", 999999),
    ],
)
def test_page_numbers_are_plain_ascii_digits_or_the_first_page(raw, number):
    assert page_number(raw) == number


def test_a_numbered_page_knows_its_rows_place_and_neighbours():
    rows = list(range(1, 13))  # 12 rows, 5 a page: 1-5, 6-10, 11-12
    first, middle, last = (numbered_page(rows, n, 5) for n in (1, 2, 3))
    assert (first.rows, first.first, first.last) == ([1, 2, 3, 4, 5], 1, 5)
    assert (first.previous, first.next, first.pages, first.total) == (None, 2, 3, 12)
    assert (middle.rows, middle.previous, middle.next) == ([6, 7, 8, 9, 10], 1, 3)
    assert (last.rows, last.first, last.last, last.previous, last.next) == (
        [11, 12],
        11,
        12,
        2,
        None,
    )
    # Past the last page: the last page; an empty list has one empty page.
    assert numbered_page(rows, 40, 5) == last
    empty = numbered_page([], 3, 5)
    assert (empty.rows, empty.number, empty.first, empty.last, empty.next) == ([], 1, 0, 0, None)
    assert last.with_rows(["k", "l"]).rows == ["k", "l"] and last.with_rows([]).total == 12
