"""Small-cell protection: an attacker who knows the rule and every published value, and
solves the row and column equations over the suppressed cells, narrows none of them to one
value. The attacker here is independent of the module's own check: a backtracking search
over every integer filling of the suppressed cells within the bounds the marks reveal."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.suppression import SECONDARY_MARK, CountTable, ProtectedTable, protect

T = 5


def _equations(rows: int, cols: int) -> list[list[tuple[tuple[int, int], int]]]:
    """Each line of the extended grid: its cells add up to its total (coefficient -1)."""
    found = []
    for i in range(rows + 1):
        found.append([((i, j), 1) for j in range(cols)] + [((i, cols), -1)])
    for j in range(cols + 1):
        found.append([((i, j), 1) for i in range(rows)] + [((rows, j), -1)])
    return found


def _domains(grid, protected: ProtectedTable) -> dict[tuple[int, int], range]:
    """What the marks reveal: "<5" is 1..4, "x" at least 5 (searched up to twice the grand
    total and a bit: the reader knows no upper bound, so this only makes the attacker
    stronger)."""
    top = 2 * grid[-1][-1] + T
    domains = {p: range(1, T) for p in protected.primary}
    domains.update({p: range(T, top + 1) for p in protected.secondary})
    return domains


def _solvable(grid, domains, equations) -> bool:
    names = sorted(domains, key=lambda p: len(domains[p]))
    values: dict[tuple[int, int], int] = {}

    def feasible() -> bool:
        for line in equations:
            low = high = 0
            for p, k in line:
                if p in values:
                    low += k * values[p]
                    high += k * values[p]
                elif p in domains:
                    lo, hi = domains[p][0], domains[p][-1]
                    low += min(k * lo, k * hi)
                    high += max(k * lo, k * hi)
                else:
                    low += k * grid[p[0]][p[1]]
                    high += k * grid[p[0]][p[1]]
            if not low <= 0 <= high:
                return False
        return True

    def search(index: int) -> bool:
        if not feasible():
            return False
        if index == len(names):
            return True
        for value in domains[names[index]]:
            values[names[index]] = value
            if search(index + 1):
                return True
            del values[names[index]]
        return False

    return search(0)


def recovered(table: CountTable, protected: ProtectedTable) -> list[tuple[int, int]]:
    """Suppressed cells the attacker pins down to their true value."""
    grid = table.extended()
    equations = _equations(len(table.rows), len(table.columns))
    domains = _domains(grid, protected)
    found = []
    for p, domain in domains.items():
        others = range(domain[0], domain[-1] + 1)
        other_values = [v for v in others if v != grid[p[0]][p[1]]]
        if not other_values or not _solvable(grid, {**domains, p: other_values}, equations):
            found.append(p)
    return sorted(found)


def _table(counts) -> CountTable:
    return CountTable.of(
        [f"r{i}" for i in range(len(counts))], [f"c{j}" for j in range(len(counts[0]))], counts
    )


def _check(counts, **options) -> ProtectedTable:
    table = _table(counts)
    protected = protect(table, T, **options)
    grid = table.extended()
    for (i, j), value in [((i, j), v) for i, row in enumerate(grid) for j, v in enumerate(row)]:
        shown = (
            protected.cells[i][j]
            if i < len(counts) and j < len(counts[0])
            else protected.row_totals[i]
            if j == len(counts[0]) and i < len(counts)
            else protected.column_totals[j]
            if i == len(counts) and j < len(counts[0])
            else protected.total
        )
        if protected.withheld:
            assert shown == SECONDARY_MARK
        elif 0 < value < T:
            assert shown == "<5"
        elif (i, j) in protected.secondary:
            assert shown == SECONDARY_MARK and value > 0
        else:
            assert shown == value
    if not protected.withheld:  # else every "x" may hide anything: nothing to solve
        assert recovered(table, protected) == []
    for i in range(len(grid)):  # a suppressed cell never stands alone in its row or column
        assert sum((i, j) in protected.suppressed for j in range(len(grid[0]))) != 1
    for j in range(len(grid[0])):
        assert sum((i, j) in protected.suppressed for i in range(len(grid))) != 1
    return protected


def test_a_small_cell_is_hidden_with_a_partner_in_its_row_and_column():
    protected = _check([[3, 10], [7, 12], [20, 30]])
    assert protected.cells[0] == ("<5", "x")
    assert protected.cells[1] == ("x", "x")  # the smallest others, not the 20 or 30
    assert protected.cells[2] == (20, 30) and protected.total == 82


def test_totals_that_would_give_a_cell_back_are_hidden():
    # A table published alone may hide its grand total: 10 - 9 would be the 1.
    alone = _check([[1, 0, 0], [0, 0, 0], [0, 0, 9]], fixed_total_row=False)
    assert alone.row_totals[0] == "<5" and alone.column_totals[0] == "<5"
    assert alone.total == SECONDARY_MARK
    # On a page the grand total is the headline's: the 9 and its totals are hidden instead.
    protected = _check([[1, 0, 0], [0, 0, 0], [0, 0, 9]])
    assert protected.row_totals[0] == "<5" and protected.column_totals[0] == "<5"
    assert protected.total == 10 and protected.cells[2][2] == SECONDARY_MARK
    assert protected.column_totals[2] == SECONDARY_MARK


def test_the_grand_total_the_headline_publishes_is_never_a_secondary_suppression():
    # Alone, the grand total is the cheapest "x" here (it pairs the row and the column that
    # each held one small total). But the page's headline publishes the same number
    # (people registered, referrals sent): with it known, every hidden cell came back.
    counts = [[20, 3], [2, 0]]
    alone = protect(_table(counts), T, fixed_total_row=False)
    assert alone.total == SECONDARY_MARK and (2, 2) in alone.secondary
    headline_known = replace(alone, secondary=alone.secondary - {(2, 2)})
    assert recovered(_table(counts), headline_known) == sorted(headline_known.suppressed)
    # Now: the grand total stays published, and nothing can be recovered with it.
    protected = _check(counts)
    assert protected.total == 25 and not protected.withheld
    assert protected.cells == ((20, "<5"), ("<5", 0))
    assert protected.column_totals == (SECONDARY_MARK, "<5")


def test_tables_with_the_same_columns_hide_the_same_column_totals():
    # The referral tables by kind of service, by provider and transnational share their
    # column totals (and the headline their grand total): hiding different ones in each
    # would let one table's published total undo another's "x". The total row is protected
    # from its own values, so they all mark it alike.
    by_kind = _check([[0, 0, 12], [0, 6, 0], [2, 0, 0]])
    by_provider = _check([[0, 6, 12], [2, 0, 0]])
    crossed = _check([[2, 0, 0], [0, 6, 12]])
    assert by_kind.column_totals == ("<5", SECONDARY_MARK, 12) and by_kind.total == 20
    assert by_provider.column_totals == by_kind.column_totals == crossed.column_totals
    assert by_provider.total == crossed.total == 20


def test_a_single_column_keeps_its_total_the_other_tables_publish():
    # A one-column table shows its column total (equal to the grand total) as its total row.
    protected = _check([[3], [10], [0], [40]])
    assert protected.column_totals == (53,) and protected.total == 53
    assert protected.cells[0] == ("<5",) and protected.cells[1] == (SECONDARY_MARK,)
    single_row = _check([[3, 10, 40]])
    assert single_row.row_totals == (53,) and single_row.total == 53


def test_zeros_are_published_and_never_hide_anything():
    protected = _check([[0, 3], [0, 10]])
    assert protected.cells[0][0] == 0 and protected.cells[1][0] == 0


def test_the_bounds_the_marks_reveal_are_used_by_the_attacker_too():
    # "<5" at 1 and 4 on the diagonal of one square would pin both (1 can only grow, 4 only
    # shrink, and the square moves them together): the rule hides more until they can move.
    _check([[1, 6], [6, 4]])
    _check([[4, 9, 1], [9, 9, 9], [1, 9, 4]])


def test_a_handful_of_people_withholds_the_whole_table():
    protected = _check([[1, 1], [1, 1]])  # grand total "<5" over four "<5" cells: all ones
    assert protected.withheld and protected.total == SECONDARY_MARK


def test_a_table_without_small_cells_is_published_whole():
    protected = _check([[5, 7], [9, 11]])
    assert protected.suppressed == frozenset()


small = st.integers(0, 12).map(lambda v: v if v > 6 else v % 5)  # many small values and zeros


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 3).flatmap(
        lambda cols: st.lists(st.lists(small, min_size=cols, max_size=cols), min_size=1, max_size=3)
    )
)
def test_no_suppressed_cell_can_be_recovered_from_random_tables(counts):
    protected = _check(counts)
    if not protected.withheld:  # (a withheld table publishes nothing the total could undo)
        assert (len(counts), len(counts[0])) not in protected.secondary  # the headline's
        alone = protect(_table([[sum(column) for column in zip(*counts, strict=True)]]), T)
        if not alone.withheld:  # the total row is marked as from its own values alone
            assert protected.column_totals == alone.cells[0]
