"""Small-cell protection of a published table of counts (rows x columns, with totals).

:func:`protect` takes a :class:`CountTable` and returns a :class:`ProtectedTable`, the same
table as it may be published (pages, CSV and XLSX alike):

* **Primary suppression.** Every published cell, totals included, holding 1 to
  ``threshold - 1`` people is shown as ``"<5"`` (``HOMEWARD_SMALL_CELL_THRESHOLD``, default 5).
* **Zeros are published.** A 0 names nobody, and statisticians need true zeros; a suppressed
  zero would also tell a reader who knows this rule that a mark may hide a 0. (A 0 beside a
  single non-zero cell can still say "all of them are X": a group disclosure about a count
  that is itself at least the threshold, or suppressed.) Zeros are never chosen as secondary
  suppressions, so a reader knows every mark hides at least 1.
* **Secondary suppression** (``"x"``). Row and column totals and the other cells must not
  give a suppressed cell back. The table with its totals is a set of linear equations (each
  row and column of the table adds up to its total); a reader who knows the published values
  and the rule (a ``"<5"`` cell is 1..threshold-1, an ``"x"`` cell at least the threshold)
  pins a suppressed cell down exactly when no change of the suppressed cells that keeps
  every equation and every bound moves it. :func:`pinned` finds those cells exactly: the
  changes that keep the equations are the circulations of the bipartite graph of rows and
  columns whose edges are the suppressed cells, so a cell can move by one iff its edge lies
  on a directed cycle of the moves its own bounds and the other cells' bounds allow. While a
  cell is pinned, the smallest non-zero published cell of its row or column (an inner cell
  before a total) is suppressed too; so every row and column with a suppressed cell has at
  least two. If nothing is left to choose (a table of a handful of people: its grand total
  is small too, and the "<5" marks alone would give the cells back), the whole table is
  withheld: every cell, totals and zeros included, is shown ``"x"`` and ``withheld`` is set.
* **The total row is protected from its own values.** A page publishes a table's total row
  elsewhere too: the grand total is the headline's "people registered", "referrals sent" or
  "cases closed" and the total of every other table of the same population; the referral
  tables by kind of service, by provider and transnational share their column totals. A
  table that hid its grand total as ``"x"`` while the headline shows it, or hid a column
  total another table publishes, would give its small cells back. So the grand total is
  never a secondary suppression, and the column totals hidden besides the small ones are
  chosen from the total row alone (the smallest non-zero ones, until no hidden one follows
  from the grand total and the others): every table with the same total row marks it
  alike. The rest of the table is then protected without touching the total row again;
  when nothing else can protect a cell the table is withheld. (``fixed_total_row=False``
  protects a table published alone, its total row like any other line.)

**Residual risk: differencing.** Protection holds within one table. Two tables of the same
population that differ by a filter (a month, an organisation, a sex, an age band) can be
subtracted from one another: a suppressed cell of one may be the difference of published
cells of the two, or of the same table before and after one more case was registered. The
figures pages limit this by computing every table from the same coarse skeleton with the
same threshold, but they cannot rule it out; a deployment that publishes many overlapping
tables should publish a fixed set of tables on a fixed schedule, review them before
release, and raise the threshold. The same holds for a series of exports over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

#: How a cell withheld to protect another one is shown.
SECONDARY_MARK = "x"

Cell = int | str
Position = tuple[int, int]


@dataclass(frozen=True)
class CountTable:
    """Counts by row and column; the totals are computed, not given."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @classmethod
    def of(
        cls, rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]]
    ) -> CountTable:
        table = cls(tuple(rows), tuple(columns), tuple(tuple(int(c) for c in r) for r in counts))
        if len(table.counts) != len(table.rows) or any(
            len(r) != len(table.columns) for r in table.counts
        ):
            raise ValueError("counts must have one row per row label, one value per column")
        if any(c < 0 for r in table.counts for c in r):
            raise ValueError("counts cannot be negative")
        return table

    def extended(self) -> list[list[int]]:
        """The counts with a total column on the right and a total row below."""
        grid = [[*row, sum(row)] for row in self.counts]
        width = len(self.columns) + 1
        grid.append([sum(row[j] for row in grid) for j in range(width)])
        return grid


@dataclass(frozen=True)
class ProtectedTable:
    """A table as it may be published: counts, ``"<5"`` or ``"x"``; totals alike."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell
    #: Positions in the extended grid (totals at index len(rows) / len(columns)).
    primary: frozenset[Position]
    secondary: frozenset[Position]
    #: The whole table is withheld: every cell is ``"x"``, which then bounds nothing.
    withheld: bool = False

    @property
    def suppressed(self) -> frozenset[Position]:
        return self.primary | self.secondary


def _bounds(value: int, primary: bool, threshold: int) -> tuple[int, int | None]:
    """What a reader who knows the rule knows of a suppressed cell (None: no upper bound)."""
    return (1, threshold - 1) if primary else (threshold, None)


def _reach(adj: list[int], start: int, goal: int) -> bool:
    """Whether ``goal`` can be reached from ``start`` in the graph whose node ``n`` has arcs
    to the nodes of the bits of ``adj[n]`` (breadth first, a frontier at a time)."""
    seen = frontier = 1 << start
    while frontier:
        reached = 0
        while frontier:
            low = frontier & -frontier
            reached |= adj[low.bit_length() - 1]
            frontier ^= low
        frontier = reached & ~seen
        if frontier >> goal & 1:
            return True
        seen |= frontier
    return False


def pinned(
    grid: list[list[int]], primary: set[Position], secondary: set[Position], threshold: int
) -> list[Position]:
    """Suppressed cells a reader can work out exactly from the published ones (sorted).

    The directed graph of unit moves has a node per row and per column of the extended grid
    (bit ``i`` a row, bit ``rows + j`` a column): row -> column when the cell's circulation
    value may grow, column -> row when it may shrink (the total row and column flip signs).
    A cell moves iff one of its arcs lies on a cycle of the other cells' arcs."""
    rows, last_row, last_col = len(grid), len(grid) - 1, len(grid[0]) - 1
    adj = [0] * (rows + len(grid[0]))
    arcs: dict[Position, tuple[bool, bool]] = {}
    for i, j in primary | secondary:
        low, high = _bounds(grid[i][j], (i, j) in primary, threshold)
        up = high is None or grid[i][j] + 1 <= high
        down = grid[i][j] - 1 >= low
        if (i == last_row) != (j == last_col):  # a total (not the grand total): flipped
            up, down = down, up
        if up:
            adj[i] |= 1 << (rows + j)
        if down:
            adj[rows + j] |= 1 << i
        arcs[(i, j)] = (up, down)
    found = []
    for (i, j), (up, down) in sorted(arcs.items()):
        row, column = i, rows + j
        kept = adj[row], adj[column]
        adj[row] &= ~(1 << column)  # the cell's own arcs are not the cycle it needs
        adj[column] &= ~(1 << row)
        moves = (up and _reach(adj, column, row)) or (down and _reach(adj, row, column))
        adj[row], adj[column] = kept
        if not moves:
            found.append((i, j))
    return found


def _complement(
    grid: list[list[int]], cell: Position, hidden: set[Position], fixed: set[Position]
) -> Position | None:
    """The smallest non-zero published cell in the row or column of ``cell`` (inner first),
    never one of ``fixed``."""
    i, j = cell
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    line = [(i, c) for c in range(last_col + 1)] + [(r, j) for r in range(last_row + 1)]
    options = [p for p in line if p not in hidden and p not in fixed and grid[p[0]][p[1]] > 0]
    if not options:
        return None
    return min(options, key=lambda p: (p[0] == last_row or p[1] == last_col, grid[p[0]][p[1]], p))


def _lines(grid: list[list[int]], hidden: set[Position]) -> tuple[list[int], list[int]]:
    """How many suppressed cells each row and each column of the extended grid holds."""
    rows = [sum((i, j) in hidden for j in range(len(grid[0]))) for i in range(len(grid))]
    cols = [sum((i, j) in hidden for i in range(len(grid))) for j in range(len(grid[0]))]
    return rows, cols


def _best(
    grid: list[list[int]], hidden: set[Position], found: list[Position], fixed: set[Position]
) -> Position | None:
    """The next cell to suppress (never one of ``fixed``): one that pairs rows and columns
    holding a single suppressed cell (and opens no new one), an inner cell before a total,
    the smallest first; failing that, the smallest non-zero cell beside a pinned one."""
    rows, cols = _lines(grid, hidden)
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    options = [
        (i, j)
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if value > 0 and (i, j) not in hidden and (i, j) not in fixed
    ]
    if not options:
        return None

    def key(p: Position) -> tuple[int, int, bool, int, Position]:
        i, j = p
        pairs = (rows[i] == 1) + (cols[j] == 1)
        opens = (rows[i] == 0) + (cols[j] == 0)
        return (-pairs, opens, i == last_row or j == last_col, grid[i][j], p)

    best = min(options, key=key)
    if key(best)[0] < 0:
        return best
    return next((c for p in found if (c := _complement(grid, p, hidden, fixed))), best)


def _secondary(
    grid: list[list[int]],
    primary: set[Position],
    threshold: int,
    fixed: set[Position],
    chosen: set[Position] | None = None,
) -> set[Position] | None:
    """The secondary suppressions (``chosen`` and others, never one of ``fixed``), or None
    when the whole table must be withheld."""
    secondary: set[Position] = set(chosen or ())
    while found := pinned(grid, primary, secondary, threshold):
        choice = _best(grid, primary | secondary, found, fixed)
        if choice is None:
            return _search(grid, primary, threshold, fixed, set(chosen or ()), [SEARCH_BUDGET])
        secondary.add(choice)
    return secondary


#: How many partial choices :func:`_search` may try before the table is withheld.
SEARCH_BUDGET = 200
#: How many cells beside a pinned one :func:`_search` tries at each step (smallest first).
SEARCH_BRANCHES = 3


def _search(
    grid: list[list[int]],
    primary: set[Position],
    threshold: int,
    fixed: set[Position],
    secondary: set[Position],
    budget: list[int],
    failed: set[frozenset[Position]] | None = None,
) -> set[Position] | None:
    """When the greedy choice ran out of cells (the fixed total row leaves fewer): a bounded
    depth-first search over the cells in the rows and columns of the pinned ones (the
    smallest first, inner before totals). None: none found within the budget. ``failed``
    holds the sets already tried without success: the same set is reached by choosing its
    cells in another order, and is not tried (nor charged to the budget) again."""
    failed = set() if failed is None else failed
    state = frozenset(secondary)
    if state in failed:
        return None
    found = pinned(grid, primary, secondary, threshold)
    if not found:
        return secondary
    failed.add(state)
    if budget[0] <= 0:
        return None
    budget[0] -= 1
    hidden = primary | secondary
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    near = {(i, c) for i, _j in found for c in range(last_col + 1)}
    near |= {(r, j) for _i, j in found for r in range(last_row + 1)}
    options = sorted(
        (p for p in near if p not in hidden and p not in fixed and grid[p[0]][p[1]] > 0),
        key=lambda p: (p[0] == last_row or p[1] == last_col, grid[p[0]][p[1]], p),
    )
    for option in options[:SEARCH_BRANCHES]:
        result = _search(grid, primary, threshold, fixed, secondary | {option}, budget, failed)
        if result is not None:
            return result
    return None


def _total_row(grid: list[list[int]], threshold: int) -> set[Position] | None:
    """The column totals to hide besides the small ones, from the total row alone (so every
    table with the same columns and population hides the same ones), the grand total
    published: while a hidden column total could be worked out from the grand total and the
    published ones (a change of one would have no other hidden total to absorb it, within
    the bounds the marks reveal), the smallest non-zero published one is hidden too. None:
    nothing is left to hide (the table is withheld)."""
    last = len(grid) - 1
    totals = grid[last][:-1]
    hidden = {j for j, v in enumerate(totals) if 0 < v < threshold}
    chosen: set[int] = set()

    def moves(j: int) -> tuple[bool, bool]:
        low, high = (threshold, None) if j in chosen else (1, threshold - 1)
        return (high is None or totals[j] + 1 <= high), totals[j] - 1 >= low

    grand = grid[last][-1]
    # A small grand total is hidden too: it moves with the column totals (the other side of
    # the equation), within 1..threshold-1.
    grand_up = 0 < grand < threshold and grand + 1 <= threshold - 1
    grand_down = 0 < grand < threshold and grand - 1 >= 1

    def is_pinned(j: int) -> bool:
        up, down = moves(j)
        others = [moves(k) for k in hidden | chosen if k != j]
        return not (
            (up and (any(d for _u, d in others) or grand_up))
            or (down and (any(u for u, _d in others) or grand_down))
        )

    while any(is_pinned(j) for j in hidden | chosen):
        options = [j for j, v in enumerate(totals) if v > 0 and j not in hidden | chosen]
        if not options:
            return None
        chosen.add(min(options, key=lambda j: (totals[j], j)))
    return {(last, j) for j in chosen}


def protect(
    table: CountTable, threshold: int = 5, *, fixed_total_row: bool = True
) -> ProtectedTable:
    """The table as it may be published (see the module docstring); with ``fixed_total_row``
    (the default) the total row is protected from its own values alone and the grand total
    is never hidden unless small: the page publishes them elsewhere."""
    if threshold < 2:
        raise ValueError("the threshold must be at least 2")
    grid = table.extended()
    primary = {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if 0 < value < threshold
    }
    secondary: set[Position] | None = set()
    if primary and fixed_total_row:
        last_row = len(grid) - 1
        fixed = {(last_row, j) for j in range(len(grid[0]))}
        chosen = _total_row(grid, threshold)
        secondary = None if chosen is None else _secondary(grid, primary, threshold, fixed, chosen)
    elif primary:
        secondary = _secondary(grid, primary, threshold, set())
    withheld = secondary is None
    if secondary is None:
        secondary = {(i, j) for i, row in enumerate(grid) for j in range(len(row))}
        primary = set()

    def shown(i: int, j: int) -> Cell:
        if (i, j) in primary:
            return f"<{threshold}"
        return SECONDARY_MARK if (i, j) in secondary else grid[i][j]

    rows, cols = len(table.rows), len(table.columns)
    return ProtectedTable(
        rows=table.rows,
        columns=table.columns,
        cells=tuple(tuple(shown(i, j) for j in range(cols)) for i in range(rows)),
        row_totals=tuple(shown(i, cols) for i in range(rows)),
        column_totals=tuple(shown(rows, j) for j in range(cols)),
        total=shown(rows, cols),
        primary=frozenset(primary),
        secondary=frozenset(secondary),
        withheld=withheld,
    )


def withhold(table: ProtectedTable) -> ProtectedTable:
    """The published table withheld after all: every cell, total and zero shown ``"x"``, as
    :func:`protect` withholds a table it cannot protect (a page withholds a table whose link to
    another would give a hidden cell back, :mod:`reports.indicators.publishing`)."""
    rows, cols = len(table.rows), len(table.columns)
    return replace(
        table,
        cells=tuple((SECONDARY_MARK,) * cols for _ in range(rows)),
        row_totals=(SECONDARY_MARK,) * rows,
        column_totals=(SECONDARY_MARK,) * cols,
        total=SECONDARY_MARK,
        primary=frozenset(),
        secondary=frozenset((i, j) for i in range(rows + 1) for j in range(cols + 1)),
        withheld=True,
    )
